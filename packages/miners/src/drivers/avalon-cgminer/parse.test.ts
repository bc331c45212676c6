import t from 'tap';
import { corpusMissing, recordedClients } from '../../test/recorded.js';
import type { CgminerReply } from '../../transports/cgminer/index.js';
import { mmFields, parseAvalonStats, parseAvalonVersion } from './parse.js';

const recorded = (path: string): Promise<CgminerReply> =>
  recordedClients('10.0.0.1', { command: path }).clients.cgminer('command');
const stats = (records: unknown[]): CgminerReply => ({
  status: { letter: 'S', code: 70, msg: 'CGMiner stats', description: 'cgminer 4.11.1', when: 0 },
  body: { STATS: records },
});
const mm =
  'Ver[X] GHSspd[100.5] GHSavg[99] GHSmm[110] MGHS[50 49] MTmax[80 81] TA[4] PVT_T0[70 0] PVT_T1[70 71]';

t.test('MM fields: name[value] pairs, bracketed text kept whole, first of a name wins', async (t) => {
  const fields = mmFields(
    "'STATS':{SYSTEMSTATU[Work: In Work, Hash Board: 3 ] FACOPTS0[] Nonce Mask[25] Fan1[1] Fan1[2]}",
  );
  t.same(
    [...fields],
    [
      ['SYSTEMSTATU', 'Work: In Work, Hash Board: 3 '],
      ['FACOPTS0', ''],
      ['Mask', '25'],
      ['Fan1', '1'],
    ],
  );
});

t.test(
  'boards from MGHS; chips from PVT_T (a chip with a temperature works), expected from TA',
  async (t) => {
    const parsed = parseAvalonStats(stats([{ Elapsed: 60, 'MM ID0': mm }]));
    t.same(parsed.rate, { nowMhs: 100_500, avgMhs: 99_000 });
    t.same(parsed.boards, [
      { index: 0, hashrateMhs: 50_000, chipTempC: 80, chips: 1, chipsExpected: 2 },
      { index: 1, hashrateMhs: 49_000, chipTempC: 81, chips: 2, chipsExpected: 2 },
    ]);
    const noChips = parseAvalonStats(
      stats([{ Elapsed: 60, 'MM ID0': 'GHSspd[1] GHSavg[1] MGHS[1] TA[120]' }]),
    );
    t.same(
      noChips.boards[0],
      { index: 0, hashrateMhs: 1000, chips: 0, chipsExpected: 0 },
      'no PVT_T: unknown',
    );
    const idle = parseAvalonStats(stats([{ Elapsed: 1, 'MM ID0': 'MGHS[1] MTmax[-273] Fan1[0] Fan2[900]' }]));
    t.equal(idle.rate, undefined, 'no GHSspd: the read asks summary');
    t.equal(idle.boards[0]?.chipTempC, undefined, '-273 is no reading');
    t.same([idle.fansRpm, idle.fansExpected], [[900], 2], 'a reported slot at 0 is a stopped fan');
  },
);

t.test('stats it cannot trust is a bad reply', async (t) => {
  const bad: Array<[string, unknown[]]> = [
    ['no MM ID', [{ Elapsed: 1, ID: 'POOL0' }]],
    ['MM ID not text', [{ Elapsed: 1, 'MM ID0': 42 }]],
    ['no Elapsed', [{ 'MM ID0': mm }]],
    ['NaN rate', [{ Elapsed: 1, 'MM ID0': 'GHSspd[nan] GHSavg[1]' }]],
    ['negative board rate', [{ Elapsed: 1, 'MM ID0': 'MGHS[-5 1]' }]],
    ['rate of the network', [{ Elapsed: 1, 'MM ID0': 'GHSmm[1e15]' }]],
    ['chip temperature of the sun', [{ Elapsed: 1, 'MM ID0': 'MGHS[1] MTmax[5000]' }]],
    ['temperature below any site', [{ Elapsed: 1, 'MM ID0': 'MGHS[1] HBITemp[-100]' }]],
    ['fan as text', [{ Elapsed: 1, 'MM ID0': 'Fan1[fast]' }]],
    ['power past any PSU', [{ Elapsed: 1, 'MM ID0': 'WALLPOWER[1e9]' }]],
    ['garbled chip temperatures', [{ Elapsed: 1, 'MM ID0': 'MGHS[1] PVT_T0[21-80/14]' }]],
    ['error code as text', [{ Elapsed: 1, 'MM ID0': 'ECHU[overheat]' }]],
  ];
  for (const [name, records] of bad) {
    t.throws(() => parseAvalonStats(stats(records)), { name: 'MinerError', code: 'MINER_BAD_REPLY' }, name);
  }
  t.throws(() => parseAvalonStats(stats([])), { code: 'MINER_BAD_REPLY' }, 'empty STATS');
});

t.test(
  'Avalon 7 (10 modules on an AUC): fans, ideal rate and error codes, no per-board rate',
  { skip: corpusMissing },
  async (t) => {
    const parsed = parseAvalonStats(await recorded('avalon/stats.a7xx.json'));
    t.match(parsed, {
      uptimeS: 118,
      idealMhs: 68_243_510,
      boards: [],
      fansRpm: [2550, 1440, 2700, 2580, 2430, 4440, 3900, 3150, 2760, 3810],
      fansExpected: 10,
      softOff: false,
      mmVersion: '7411706-3162860',
    });
    t.equal(parsed.rate, undefined);
    t.equal(parsed.powerW, undefined);
    t.equal(parsed.errors.length, 19, 'every non-zero ECHU of the 10 modules');
    t.same(parsed.errors.slice(0, 3), [
      { code: '16', message: 'MM 0 unit 0: Avalon error code 16 (ECHU)' },
      { code: '512', message: 'MM 0 unit 2: Avalon error code 512 (ECHU)' },
      { code: '16', message: 'MM 1 unit 0: Avalon error code 16 (ECHU)' },
    ]);
  },
);

t.test('`estats` answers like `stats`', { skip: corpusMissing }, async (t) => {
  const estats = parseAvalonStats(await recorded('avalon/estats.a1566.json'));
  t.same(estats, parseAvalonStats(await recorded('avalon/stats.a1566.json')));
});

t.test('version: PROD, else MODEL; VERSION, else CGVERSION; the MAC normalized', async (t) => {
  const version = (record: Record<string, unknown>): CgminerReply => ({
    status: { letter: 'S', code: 22, msg: 'CGMiner versions', description: 'cgminer 4.11.1', when: 0 },
    body: { VERSION: [record] },
  });
  t.same(parseAvalonVersion(version({ MODEL: 'Q', CGVERSION: '25052801_14a19a2', MAC: 'bad' })), {
    model: 'Avalon Q',
    firmware: '25052801_14a19a2',
  });
  t.same(parseAvalonVersion(version({ PROD: ' ', MODEL: 42 })), {});
  t.same(parseAvalonVersion({ ...version({}), body: {} }), {});
});

t.test(
  'an idle Avalon Q (`litestats`): bracketed text with spaces and commas, soft-off and zero rate',
  { skip: corpusMissing },
  async (t) => {
    const reply = await recorded('avalon/litestats.avalon-q.json');
    const record = (reply.body.STATS as Array<Record<string, unknown>>)[0] ?? {};
    const fields = mmFields(String(record['MM ID0:Summary']));
    t.match(Object.fromEntries(fields), {
      SYSTEMSTATU: 'Work: In Idle, Hash Board: 1',
      SoftOFF: '4',
      GHSspd: '0.00',
      GHSavg: '44350.83',
      PS: '0 1221 4 0 0 2245 146',
      Fan1: '0',
      Mask: '25',
    });
    // `litestats` keeps Elapsed inside the MM string only: the read uses `stats`, which has it on the record.
    t.throws(() => parseAvalonStats(reply), { code: 'MINER_BAD_REPLY' });
  },
);
