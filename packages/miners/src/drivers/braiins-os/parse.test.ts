import t from 'tap';
import type { CgminerReply } from '../../transports/cgminer/index.js';
import {
  parseBoards,
  parseBraiinsOs,
  parseFans,
  parseHotC,
  parseModel,
  parsePowerW,
  parseTunerErrors,
} from './parse.js';

const reply = (body: Record<string, unknown>): CgminerReply => ({
  status: { letter: 'S', code: 11, msg: 'x', description: 'BOSminer+ 0.2.0', when: 0 },
  body,
});
const summary = reply({ SUMMARY: [{ 'MHS 5s': 14e6, 'MHS av': 14e6, Elapsed: 60 }] });
const dev = { ASC: 0, ID: 6, 'MHS 5s': 4.6e6, 'Nominal MHS': 4.6683e6 };
const bad = { name: 'MinerError', code: 'MINER_BAD_REPLY' };

t.test('boards join devs, temps and devdetails by chain ID, whatever their order', async (t) => {
  const devs = reply({ DEVS: [{ ...dev, ASC: 1, ID: 7 }, dev] });
  const temps = reply({
    TEMPS: [
      { ID: 6, Board: 60, Chip: 75.5 },
      { ID: 7, Board: 0, Chip: 0 },
    ],
  });
  const details = reply({
    DEVDETAILS: [
      { ID: 7, Chips: 62 },
      { ID: 6, Chips: 63 },
    ],
  });
  t.same(parseBoards(devs, details, temps), [
    { index: 1, hashrateMhs: 4_600_000, chips: 62, chipsExpected: 0 },
    { index: 0, hashrateMhs: 4_600_000, boardTempC: 60, chipTempC: 75.5, chips: 63, chipsExpected: 0 },
  ]);
  t.same(parseBoards(reply({ DEVS: [{ 'MHS 5s': 1 }] }), undefined, undefined), [
    { index: 0, hashrateMhs: 1, chips: 0, chipsExpected: 0 },
  ]);
});

t.test('missing sections are absent data', async (t) => {
  t.same(parseBoards(undefined, undefined, undefined), []);
  t.same(parseBoards(reply({ DEVS: 'none' }), reply({}), reply({ TEMPS: [null] })), []);
  t.equal(parseModel(reply({ DEVDETAILS: [{ Model: '' }] })), 'unknown');
  t.equal(parseModel(reply({ DEVDETAILS: [{ Model: 'Bitmain Antminer S17' }] })), 'Antminer S17');
  t.same(parseFans(reply({ FANS: {} })), []);
  t.equal(parsePowerW(reply({ TUNERSTATUS: [{ PowerLimit: 1420 }] })), undefined);
  t.equal(parseHotC(reply({ TEMPCTRL: [{ Mode: 'Disabled' }] })), undefined);
  t.same(parseTunerErrors(reply({ TUNERSTATUS: [{ TunerChainStatus: 'Stable' }] })), []);
});

t.test('a chain the tuner has a problem with is an error', async (t) => {
  const tuner = reply({
    TUNERSTATUS: [
      {
        TunerChainStatus: [
          { HashchainIndex: 6, Status: 'Stable' },
          { HashchainIndex: 7, Status: 'Failed to tune {chip 12}' },
          'garbage',
        ],
      },
    ],
  });
  t.same(parseTunerErrors(tuner), [{ code: 'BOS_TUNER', message: 'hash chain 7: Failed to tune {chip 12}' }]);
});

t.test("a hot board degrades the miner at BOSminer's own limit", async (t) => {
  const reading = parseBraiinsOs('10.0.0.1', {
    summary,
    devs: reply({ DEVS: [dev] }),
    temps: reply({ TEMPS: [{ ID: 6, Board: 101, Chip: 0 }] }),
    tempctrl: reply({ TEMPCTRL: [{ Hot: 100, Dangerous: 110 }] }),
  });
  t.equal(reading.status, 'degraded');
});

t.test('wrong types, NaN, negative and huge numbers are bad replies, not values', async (t) => {
  const cases: Array<[string, () => unknown]> = [
    [
      'hashrate as text',
      () => parseBoards(reply({ DEVS: [{ ...dev, 'MHS 5s': 'fast' }] }), undefined, undefined),
    ],
    ['no board hashrate', () => parseBoards(reply({ DEVS: [{ ID: 6 }] }), undefined, undefined)],
    [
      'negative hashrate',
      () => parseBoards(reply({ DEVS: [{ ...dev, 'MHS 5s': -1 }] }), undefined, undefined),
    ],
    [
      'NaN chips',
      () => parseBoards(reply({ DEVS: [dev] }), reply({ DEVDETAILS: [{ ID: 6, Chips: 'nan' }] }), undefined),
    ],
    [
      'boiling board',
      () => parseBoards(reply({ DEVS: [dev] }), undefined, reply({ TEMPS: [{ ID: 6, Board: 500 }] })),
    ],
    ['fan without RPM', () => parseFans(reply({ FANS: [{ ID: 0 }] }))],
    ['negative fan', () => parseFans(reply({ FANS: [{ RPM: -5 }] }))],
    [
      'power as null',
      () => parsePowerW(reply({ TUNERSTATUS: [{ ApproximateMinerPowerConsumption: null }] })),
    ],
    [
      'power of a city',
      () => parsePowerW(reply({ TUNERSTATUS: [{ ApproximateMinerPowerConsumption: 1e9 }] })),
    ],
    ['hot limit as text', () => parseHotC(reply({ TEMPCTRL: [{ Hot: 'warm' }] }))],
    ['no SUMMARY', () => parseBraiinsOs('10.0.0.1', { summary: reply({}) })],
  ];
  for (const [name, parse] of cases) t.throws(parse, bad, name);
});
