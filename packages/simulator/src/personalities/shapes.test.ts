// Every reply a personality gives carries the fields of the real firmware's, with the same JSON types: the
// corpus of recorded replies (read in place) is the reference, so a driver tested against the simulator meets
// the same shapes it meets on a real miner.
import t from 'tap';
import { ask, corpusJson, corpusMissing, shapeGaps, started } from '../test/support.js';
import type { PersonalityName } from './index.js';

/** The `name[value]` fields of an Avalon MM string, by name. */
function mmFields(text: string): Map<string, string> {
  return new Map([...text.matchAll(/(\w+)\[([^\]]*)\]/g)].map(([, name = '', value = '']) => [name, value]));
}

interface Check {
  command: string;
  parameter?: string;
  corpus: string;
  /** Fields the simulator leaves out on purpose (say why where it is used). */
  ignore?: string[];
}

const checks: Record<PersonalityName, Check[]> = {
  antminer: [
    { command: 'version', corpus: 'antminer-bmminer/version.json' },
    { command: 'summary', corpus: 'antminer-bmminer/summary.json' },
    { command: 'pools', corpus: 'antminer-bmminer/pools.json' },
    { command: 'devs', corpus: 'antminer-bmminer/devs.json' },
    { command: 'stats', corpus: 'antminer-bmminer/stats.json' },
  ],
  whatsminer: [
    {
      command: 'summary',
      corpus: 'whatsminer/summary.m31s.json',
      // Current and factory error codes: a healthy simulated unit raises none.
      ignore: [
        'Error Code 0',
        'Error Code 1',
        'Factory Error Code 0',
        'Error 0 Time',
        'Error 1 Time',
        'Error 2 Time',
      ],
    },
    { command: 'summary', corpus: 'whatsminer/summary.v1.json' },
    { command: 'edevs', corpus: 'whatsminer/edevs.m31s.json' },
    { command: 'devs', corpus: 'whatsminer/devs.v1.json' },
    { command: 'pools', corpus: 'whatsminer/pools.m31s.json' },
    { command: 'status', corpus: 'whatsminer/status.v1.json' },
    { command: 'get_version', corpus: 'whatsminer/get_version.v1.json' },
    { command: 'get_psu', corpus: 'whatsminer/get_psu.v1.json' },
  ],
  avalon: [
    { command: 'version', corpus: 'avalon/version.a1566.json' },
    // Avalon Q logs a 5 s window where the A-series logs 30 s (the simulated A-series says `MHS 30s`).
    { command: 'summary', corpus: 'avalon/summary.avalon-q.json', ignore: ['MHS 5s'] },
    { command: 'stats', corpus: 'avalon/stats.a1566.json' },
    { command: 'pools', corpus: 'avalon/pools.a1566.json' },
    { command: 'devs', corpus: 'avalon/devs.a1566.json' },
    // The Q's 5 s window again (see summary).
    { command: 'devs', corpus: 'avalon/devs.avalon-q.json', ignore: ['MHS 5s'] },
    { command: 'devdetails', corpus: 'avalon/devdetails.avalon-q.json' },
    { command: 'config', corpus: 'avalon/config.avalon-q.json' },
    { command: 'ascset', parameter: '0,softoff,1:1753434821', corpus: 'avalon/ascset_softoff.avalon-q.json' },
    { command: 'ascset', parameter: '0,softon,1:1753434757', corpus: 'avalon/ascset_softon.avalon-q.json' },
    { command: 'ascset', parameter: '0,workmode,set,1', corpus: 'avalon/ascset_workmode.avalon-q.json' },
    { command: 'ascset', parameter: '0,help', corpus: 'avalon/ascset_help.avalon-q.json' },
  ],
  braiins: [
    { command: 'version', corpus: 'braiins/version.bosplus.json' },
    { command: 'summary', corpus: 'braiins/summary.bosplus.json' },
    { command: 'devs', corpus: 'braiins/devs.bosplus.json' },
    { command: 'devdetails', corpus: 'braiins/devdetails.bosplus-docs.json' },
    { command: 'temps', corpus: 'braiins/temps.bosplus.json' },
    { command: 'fans', corpus: 'braiins/fans.bosplus.json' },
    { command: 'tunerstatus', corpus: 'braiins/tunerstatus.bosplus-docs.json' },
    { command: 'tempctrl', corpus: 'braiins/tempctrl.bosplus-docs.json' },
    { command: 'pools', corpus: 'braiins/pools.bosplus.json' },
    { command: 'pause', corpus: 'braiins/pause.bosplus-docs.json' },
    { command: 'resume', corpus: 'braiins/resume.bosplus-docs.json' },
  ],
  luxos: [
    { command: 'version', corpus: 'luxos/version.json' },
    { command: 'stats', corpus: 'luxos/stats.json' },
    { command: 'summary', corpus: 'luxos/summary.json' },
    { command: 'config', corpus: 'luxos/config.json' },
    { command: 'devs', corpus: 'luxos/devs.json' },
    { command: 'temps', corpus: 'luxos/temps.json' },
    { command: 'power', corpus: 'luxos/power.json' },
    { command: 'fans', corpus: 'luxos/fans.json' },
    { command: 'pools', corpus: 'luxos/pools.json' },
    { command: 'profiles', corpus: 'luxos/profiles.json' },
  ],
  vnish: [
    { command: 'stats', corpus: 'vnish/rpc/stats.json' },
    { command: 'summary', corpus: 'vnish/rpc/summary.json' },
    { command: 'devdetails', corpus: 'vnish/rpc/devdetails.json' },
    { command: 'pools', corpus: 'vnish/rpc/pools.json' },
    { command: 'version', corpus: 'vnish/rpc/version.json' },
  ],
};

t.test(
  'replies carry every field of the real firmware, with the same types',
  { skip: corpusMissing },
  async (t) => {
    for (const [personality, list] of Object.entries(checks) as Array<[PersonalityName, Check[]]>) {
      const miner = await started(t, { personality });
      for (const check of list) {
        const ours = await ask(miner, check.command, check.parameter);
        const gaps = shapeGaps(corpusJson(check.corpus), ours, new Set(check.ignore));
        t.same(
          gaps,
          [],
          `${personality} ${check.command}${check.parameter ? `|${check.parameter}` : ''} ~ ${check.corpus}`,
        );
      }
    }
  },
);

t.test(
  'the Avalon MM string has the fields of a real A1566 (on an A1466)',
  { skip: corpusMissing },
  async (t) => {
    const miner = await started(t, { personality: 'avalon', model: 'Avalon A1466' });
    const real = mmFields(
      String((corpusJson('avalon/stats.a1566.json').STATS as Array<Record<string, unknown>>)[0]?.['MM ID0']),
    );
    const ours = mmFields(
      String(((await ask(miner, 'stats')).STATS as Array<Record<string, unknown>>)[0]?.['MM ID0']),
    );
    // Per-chip voltages and nonce counts, PLL and frequency tables, factory options: nothing reads them.
    const skipped =
      /^(PVT_V\d|MW\d*|PLL\d|SF\d|ATAOPTS\d|FACOPTS\d|ATABD\d|MVavg|EEPROM|CRC|COMCRC|ADJ|COP|MVL)$/;
    const missing = [...real.keys()].filter((name) => !skipped.test(name) && !ours.has(name));
    t.same(missing, []);
  },
);
