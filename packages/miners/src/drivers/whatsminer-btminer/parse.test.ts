import t from 'tap';
import { corpusMissing, recordedClients } from '../../test/recorded.js';
import type { CgminerReply } from '../../transports/cgminer/index.js';
import { parsePools } from '../cgminer-family/index.js';
import { parseBoards, parseModel, parseStatus, parseWhatsminerSummary } from './parse.js';
import { whatsminerReading } from './reading.js';

const reply = (body: Record<string, unknown>, description = 'btminer'): CgminerReply => ({
  status: { letter: 'S', code: 11, msg: 'Summary', description, when: 0 },
  body,
});
const recorded = (path: string): Promise<CgminerReply> =>
  recordedClients('10.0.0.1', { command: path }).clients.cgminer('command');

const summary = { 'MHS 5s': 1e8, 'MHS av': 1e8, Elapsed: 60, 'Fan Speed In': 3870, 'Fan Speed Out': 3930 };

t.test('fans: 0 is a stopped fan when air-cooled, no fan when liquid-cooled', async (t) => {
  t.match(parseWhatsminerSummary(reply({ SUMMARY: [{ ...summary, 'Fan Speed Out': 0 }] })), {
    fansRpm: [3870],
    fansExpected: 2,
  });
  const liquid = parseWhatsminerSummary(
    reply({ SUMMARY: [{ ...summary, 'Fan Speed In': 0, 'Fan Speed Out': 0, 'Liquid Cooling': true }] }),
  );
  t.same(liquid.fansRpm, []);
  t.equal(liquid.fansExpected, undefined);
});

t.test('what btminer leaves out or garbles is not reported, never guessed', async (t) => {
  const bare = parseWhatsminerSummary(reply({ SUMMARY: [{ ...summary, MAC: 'C4:05:09', Power: 0 }] }));
  for (const key of ['factoryMhs', 'powerW', 'mac', 'firmware'] as const) t.equal(bare[key], undefined, key);
  t.same(bare.errors, []);
  t.equal(
    parseWhatsminerSummary(reply({ SUMMARY: [{ ...summary, 'Firmware Version': "'20200917.22.REL'" }] }))
      .firmware,
    '20200917.22.REL',
    'quotes stripped',
  );
});

t.test('a summary it cannot trust is a bad reply', async (t) => {
  const bad: Array<[string, Record<string, unknown>]> = [
    ['no SUMMARY', {}],
    ['SUMMARY not a list', { SUMMARY: summary }],
    ['no hashrate', { SUMMARY: [{ Elapsed: 1 }] }],
    ['NaN Factory GHS', { SUMMARY: [{ ...summary, 'Factory GHS': 'nan' }] }],
    ['huge Factory GHS', { SUMMARY: [{ ...summary, 'Factory GHS': 1e12 }] }],
    ['negative power', { SUMMARY: [{ ...summary, Power: -3400 }] }],
    ['power of a city', { SUMMARY: [{ ...summary, Power: 1e9 }] }],
    ['fan as text', { SUMMARY: [{ ...summary, 'Fan Speed In': 'fast' }] }],
    ['fan past any motor', { SUMMARY: [{ ...summary, 'Fan Speed Out': 1e7 }] }],
    ['error code not a number', { SUMMARY: [{ ...summary, 'Error Code 0': 'overheat' }] }],
    ['null error code', { SUMMARY: [{ ...summary, 'Error Code 1': null }] }],
  ];
  for (const [name, body] of bad) {
    t.throws(
      () => parseWhatsminerSummary(reply(body)),
      { name: 'MinerError', code: 'MINER_BAD_REPLY' },
      name,
    );
  }
});

t.test('boards it cannot trust make a bad reply; no DEVS is no boards', async (t) => {
  const dev = { Slot: 0, 'MHS 5s': 3e7, Temperature: 70, 'Chip Temp Max': 90, 'Effective Chips': 105 };
  t.same(parseBoards(reply({})), []);
  t.same(parseBoards(reply({ DEVS: [{ 'MHS 5s': 0, Temperature: 0 }] })), [
    { index: 0, hashrateMhs: 0, chips: 0, chipsExpected: 0 },
  ]);
  const bad: Array<[string, Record<string, unknown>]> = [
    ['no hashrate', { ...dev, 'MHS 5s': undefined }],
    ['negative hashrate', { ...dev, 'MHS 5s': -1 }],
    ['NaN temperature', { ...dev, Temperature: 'nan' }],
    ['temperature of a furnace', { ...dev, 'Chip Temp Max': 900 }],
    ['negative chips', { ...dev, 'Effective Chips': -1 }],
    ['slot past any chassis', { ...dev, Slot: 1e9 }],
  ];
  for (const [name, record] of bad) {
    t.throws(() => parseBoards(reply({ DEVS: [record] })), { code: 'MINER_BAD_REPLY' }, name);
  }
});

t.test('model from devdetails Model, pyasic-style: drop `_`, last digit of the variant to 0', async (t) => {
  const details = (Model: unknown) => reply({ DEVDETAILS: [{ Name: 'SM', Driver: 'bitmicro', Model }] });
  t.same(parseModel(details('M30S+_VE40')), { model: 'Whatsminer M30S+ VE40', family: 'Whatsminer M30S+' });
  t.same(parseModel(details('M31S_V21')), { model: 'Whatsminer M31S V20', family: 'Whatsminer M31S' });
  t.same(parseModel(details('M30S++_VG30')), {
    model: 'Whatsminer M30S++ VG30',
    family: 'Whatsminer M30S++',
  });
  t.same(parseModel(details('M60S')), { model: 'Whatsminer M60S', family: 'Whatsminer M60S' });
  for (const Model of ['', 'HWmintT1.SingleChain', 42, undefined]) {
    t.equal(parseModel(details(Model)), undefined, String(Model));
  }
  t.equal(parseModel(reply({})), undefined, 'no DEVDETAILS');
});

t.test(
  'status: btmineroff says asleep; anything else there is a bad reply',
  { skip: corpusMissing },
  async (t) => {
    t.same(parseStatus(await recorded('whatsminer/status.sleeping.json')), {
      sleeping: true,
      firmware: '20210109.22.REL',
    });
    t.same(parseStatus(await recorded('whatsminer/status.v1.json')), {
      sleeping: false,
      firmware: '20220919.15.REL',
    });
    t.same(parseStatus(reply({ Msg: { mineroff: true } })), { sleeping: true }, 'later builds say mineroff');
    for (const body of [
      {},
      { Msg: 'ok' },
      { Msg: {} },
      { Msg: { btmineroff: 'maybe' } },
      { Msg: { btmineroff: 1 } },
    ]) {
      t.throws(() => parseStatus(reply(body)), { code: 'MINER_BAD_REPLY' }, JSON.stringify(body));
    }
  },
);

t.test(
  'M20S recorded without a readable summary: its devs and pools still parse',
  { skip: corpusMissing },
  async (t) => {
    const board = { chips: 111, chipsExpected: 0 };
    t.same(parseBoards(await recorded('whatsminer/devs.m20s.json')), [
      {
        index: 0,
        hashrateMhs: 19_540_158,
        boardTempC: 71.5,
        chipTempC: 87.7,
        ...board,
        serial: 'H3M14S6F200114K10102',
      },
      {
        index: 1,
        hashrateMhs: 23_015_816,
        boardTempC: 68.5,
        chipTempC: 84.5,
        ...board,
        serial: 'H3M14S6F200114K10107',
      },
      {
        index: 2,
        hashrateMhs: 21_747_875,
        boardTempC: 72,
        chipTempC: 87.2,
        ...board,
        serial: 'H3M14S6F200114K10115',
      },
    ]);
    const pool = { status: 'alive', rejected: 0, stale: 0 } as const;
    t.same(parsePools(await recorded('whatsminer/pools.m20s.json')), [
      {
        ...pool,
        url: 'stratum+tcp://us-east.stratum.slushpool.com:3333',
        user: '002m20s',
        active: true,
        priority: 0,
        accepted: 33_825,
        rejected: 185,
        stale: 27,
      },
      {
        ...pool,
        url: 'stratum+tcp://us-central01.miningrigrentals.com:50194',
        user: 'xxxx.yyyy',
        active: false,
        priority: 1,
        accepted: 0,
      },
    ]);
  },
);

t.test('status rule', async (t) => {
  const parts = { sleeping: false, description: 'btminer', boards: [], pools: [] };
  const totals = { hashrateAvgMhs: 0, uptimeS: 1, accepted: 0, rejected: 0, stale: 0, errors: [] };
  const read = (hashrateMhs: number, fansRpm: number[], extra: object = {}) =>
    whatsminerReading('10.0.0.1', {
      ...parts,
      summary: { ...totals, hashrateMhs, fansRpm, fansExpected: 2, factoryMhs: 100e6 },
      ...extra,
    }).status;
  t.equal(read(95e6, [4000, 4000]), 'ok');
  t.equal(read(0, [4000, 4000]), 'offline', 'answers, hashes nothing, not asleep');
  t.equal(read(0, [], { sleeping: true }), 'sleeping');
  t.equal(read(95e6, [4000]), 'degraded', 'a stopped fan');
  t.equal(read(85e6, [4000, 4000]), 'degraded', 'below 90% of Factory GHS');
  const catalog = whatsminerReading('10.0.0.1', {
    ...parts,
    model: { model: 'Whatsminer M30S+ VE40', family: 'Whatsminer M30S+' },
  });
  t.equal(catalog.hashrateExpectedMhs, 100_000_000, 'no Factory GHS: the catalog rate of the model');
});
