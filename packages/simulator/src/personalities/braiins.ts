import {
  type CgminerRequest,
  envelope,
  type Reply,
  type RequestError,
  refusal,
  type StatusLetter,
} from '../cgminer/index.js';
import { antminerHardware } from '../hardware.js';
import type { Machine } from '../machine.js';
import type { Sample } from '../telemetry.js';
import { braiinsRest } from './braiins-rest.js';
import { poolRecord, summaryCounters } from './common.js';
import type { Firmware, Personality } from './personality.js';
import { POOL_COMMANDS, poolCommand } from './pool-commands.js';

/**
 * Braiins OS+ on an Antminer: BOSminer behind the cgminer API (corpus `braiins/`): `version`, `summary`, `devs`
 * (with `Nominal MHS`), `devdetails` (model, chips), `temps`, `fans`, `tunerstatus`, `tempctrl`, `pools`, JSON
 * only. `pause`/`resume` stop and restart mining; pool commands change the pool list until the next reboot. Its
 * web port serves the REST API of BOS 25.07 (braiins-rest.ts): a simulator liberty, as real BOSminer+ 0.6 had none.
 */

const VERSION = '0.6.0-fe72abe5';
const DESCRIPTION = `BOSminer+ ${VERSION}`;
const FREQUENCY_HZ = 650_000_000;

export const braiins: Personality = {
  name: 'braiins',
  brand: 'Antminer',
  description: DESCRIPTION,
  forms: { text: false, cmdKey: false },
  joinable: new Set(),
  sleepSurvivesReboot: false,
  hardware: antminerHardware,
  firmware: (machine) => new BraiinsFirmware(machine),
  webApi: braiinsRest,
};

class BraiinsFirmware implements Firmware {
  constructor(private readonly machine: Machine) {}

  answer(request: CgminerRequest | RequestError): Reply {
    const { machine } = this;
    const when = machine.when;
    if ('code' in request) return refusal(when, request.code, request.msg, DESCRIPTION);
    const say = (code: number, msg: string, letter?: StatusLetter) =>
      envelope({ when, code, msg, description: DESCRIPTION, ...(letter ? { letter } : {}) });
    switch (request.command) {
      case 'version':
        return reply(when, 22, 'BOSminer+ versions', { VERSION: [{ API: '3.7', 'BOSminer+': VERSION }] });
      case 'summary':
        return summaryReply(machine.report(machine.sample()));
      case 'devs':
        return devsReply(machine.sample());
      case 'devdetails':
        return devdetailsReply(machine);
      case 'temps': {
        const temps = machine.sample().boards.map((board, i) => ({
          Board: board.boardTempC,
          Chip: board.chipTempC,
          ID: chainId(i),
          TEMP: i,
        }));
        return reply(when, 201, `${temps.length} Temp(s)`, { TEMPS: temps });
      }
      case 'fans': {
        const fans = machine.sample().fansRpm.map((rpm, i) => ({ FAN: i, ID: i, RPM: rpm, Speed: 70 }));
        return reply(when, 202, `${fans.length} Fan(s)`, { FANS: fans });
      }
      case 'tunerstatus':
        return tunerReply(machine.sample(), machine);
      case 'tempctrl':
        return reply(when, 200, 'Temperature control', {
          TEMPCTRL: [{ Dangerous: 110, Hot: 100, Mode: 'Automatic', Target: 89 }],
        });
      case 'pools': {
        const pools = machine
          .poolRows()
          .map((row) => ({ ...poolRecord(row, when), AsicBoost: true, 'Has Vmask': true }));
        return reply(when, 7, `${pools.length} Pool(s)`, { POOLS: pools });
      }
      case 'pause':
        machine.setAsleep(true);
        return reply(when, 204, 'Pause', { PAUSE: [true] });
      case 'resume':
        machine.setAsleep(false);
        return reply(when, 205, 'Resume', { RESUME: [true] });
      default:
        if (POOL_COMMANDS.has(request.command)) return poolCommand(machine, request, say);
        return say(14, 'Invalid command', 'E');
    }
  }
}

function reply(when: number, code: number, msg: string, sections: Reply): Reply {
  return envelope({ when, code, msg, description: DESCRIPTION }, sections);
}

/** BOSminer names hash chains by their connector: 1-3 on an X19 (6-8 on an S9). */
function chainId(index: number): number {
  return index + 1;
}

const mhs = (ghs: number) => Math.round(ghs * 100_000) / 100;

function summaryReply(s: Sample): Reply {
  return reply(s.when, 11, 'Summary', {
    SUMMARY: [
      {
        ...summaryCounters(s),
        Elapsed: s.elapsed,
        'MHS 15m': mhs(s.ghsAv),
        'MHS 1m': mhs(s.ghs5s),
        'MHS 24h': mhs(s.ghsAv),
        'MHS 5m': mhs(s.ghsAv),
        'MHS 5s': mhs(s.ghs5s),
        'MHS av': mhs(s.ghsAv),
      },
    ],
  });
}

function devsReply(s: Sample): Reply {
  const devs = s.boards.map((board, i) => ({
    ASC: i,
    Accepted: 0,
    'Device Elapsed': s.elapsed,
    'Device Hardware%': 0.0,
    'Device Rejected%': 0.0,
    'Diff1 Work': 0,
    'Difficulty Accepted': 0.0,
    'Difficulty Rejected': 0.0,
    Enabled: 'Y',
    'Hardware Error MHS 15m': 0.0,
    'Hardware Errors': 0,
    ID: chainId(i),
    'Last Share Difficulty': 0.0,
    'Last Share Pool': -1,
    'Last Share Time': s.when,
    'Last Valid Work': s.when,
    'MHS 15m': mhs(board.ghsAv),
    'MHS 1m': mhs(board.ghs5s),
    'MHS 5m': mhs(board.ghsAv),
    'MHS 5s': mhs(board.ghs5s),
    'MHS av': mhs(board.ghsAv),
    Name: '',
    // The rate the board is tuned to; BOSminer keeps it while paused.
    'Nominal MHS': mhs(s.ratedGhs / s.boards.length),
    Rejected: 0,
    Status: 'Alive',
    Temperature: 0.0,
    'Total MH': Math.round(board.ghsAv * 1000 * s.elapsed),
    Utility: 0.0,
  }));
  return reply(s.when, 9, `${devs.length} ASC(s)`, { DEVS: devs });
}

function devdetailsReply(machine: Machine): Reply {
  const s = machine.sample();
  const details = s.boards.map((board, i) => ({
    Chips: board.chipsFound,
    Cores: board.chipsFound * 114,
    DEVDETAILS: i,
    'Device Path': '',
    Driver: '',
    Frequency: FREQUENCY_HZ,
    ID: chainId(i),
    Kernel: '',
    Model: `Bitmain ${machine.identity.model.model}`,
    Name: `Hash Chain ${chainId(i)}`,
    Voltage: 13.2,
  }));
  return reply(machine.when, 69, 'Device Details', { DEVDETAILS: details });
}

/** BOS+ autotuner: its estimate of the miner's draw, and each chain's state (a failed chain is not tuned). */
function tunerReply(s: Sample, machine: Machine): Reply {
  const limit = machine.identity.model.powerW;
  const chains = s.boards.flatMap((board, i) =>
    board.chipsFound === 0
      ? []
      : [
          {
            ApproximatePowerConsumptionWatt: board.powerW,
            HashchainIndex: chainId(i),
            Iteration: 0,
            LoadedProfileCreatedOn: s.when - s.elapsed,
            PowerLimitWatt: Math.round(limit / s.boards.length),
            StageElapsed: s.elapsed,
            Status: 'Stable',
            TunerRunning: false,
            TuningElapsed: s.elapsed,
          },
        ],
  );
  return reply(s.when, 203, 'Tuner Status', {
    TUNERSTATUS: [
      {
        ApproximateChainPowerConsumption: s.boards.reduce((total, board) => total + board.powerW, 0),
        ApproximateMinerPowerConsumption: s.powerW,
        DynamicPowerScaling: 'Disabled',
        PowerLimit: limit,
        TunerChainStatus: chains,
      },
    ],
  });
}
