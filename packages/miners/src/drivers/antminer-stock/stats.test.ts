import t from 'tap';
import type { CgminerReply } from '../../transports/cgminer/index.js';
import { parseStats } from './stats.js';

const S19 = { BMMiner: '1.0.0', Miner: '49.0.1.3', Type: 'Antminer S19 Pro' };
const good = {
  Elapsed: 100,
  'GHS 5s': '110.5',
  'GHS av': 100,
  chain_acn1: 3,
  chain_acs1: ' oo-',
  chain_rate1: '110.5',
  temp_pcb1: '60-0-70-65',
  temp_chip1: '75-0-80-79',
  fan1: 6000,
};

const stats = (data: Record<string, unknown>, header: Record<string, unknown> = S19): CgminerReply => ({
  status: { letter: 'S', code: 70, msg: 'CGMiner stats', description: 'cgminer 1.0.0', when: 0 },
  body: { STATS: [header, data] },
});

t.test('a minimal X19 stats reply', async (t) => {
  const parsed = parseStats(stats(good));
  t.match(parsed, {
    model: 'Antminer S19 Pro',
    firmware: 'BMMiner 1.0.0',
    rateMhs: 110_500,
    rateAvgMhs: 100_000,
    uptimeS: 100,
    fansRpm: [6000],
  });
  t.same(parsed.boards, [
    { index: 0, rateMhs: 110_500, boardTempC: 70, chipTempC: 80, chips: 2, chipsExpected: 3 },
  ]);
  t.notOk('idealMhs' in parsed || 'mode' in parsed || 'serial' in parsed, 'nothing invented');
});

t.test('what real firmware sends for "nothing here" is no data, not an error', async (t) => {
  const parsed = parseStats(
    stats({
      ...good,
      chain_rate1: '',
      temp_pcb1: '0-0-0-0',
      temp_chip1: undefined,
      temp2_1: -83,
      chain_acn2: 0,
      chain_acs2: '',
      chain_rate2: '0.00000',
      chain_SN1: 'unknow',
      fan2: 0,
      total_rateideal: 0,
    }),
  );
  t.same(parsed.boards, [{ index: 0, rateMhs: 0, chips: 2, chipsExpected: 3 }]);
  t.same(parsed.fansRpm, [6000]);
  t.notOk('idealMhs' in parsed);
});

t.test('units: rate_unit when given, else by firmware and model', async (t) => {
  t.equal(parseStats(stats({ ...good, rate_unit: 'TH' })).rateMhs, 110_500_000);
  t.equal(parseStats(stats({ ...good, rate_unit: 'GH/s' })).rateMhs, 110_500);
  const cgminer = (type: string) => ({ CGMiner: '4.9.0', Type: type });
  t.equal(parseStats(stats(good, cgminer('Antminer L3+'))).rateMhs, 110.5, 'scrypt in MH/s');
  t.equal(parseStats(stats(good, cgminer('Antminer Z11'))).rateMhs, 0.1105, 'Equihash in kSol/s');
  t.equal(parseStats(stats(good, cgminer('Antminer S7'))).rateMhs, 110_500, 'SHA-256 stays GH/s');
  t.equal(parseStats(stats(good, { BMMiner: '1.0.0', Type: 'Antminer L7' })).rateMhs, 110_500);
});

t.test('identity: serial, board serial, Blissz, a missing version block', async (t) => {
  const parsed = parseStats(stats({ ...good, miner_id: '8144d5ca79104814', chain_SN1: 'JYZZB1' }));
  t.equal(parsed.serial, '8144d5ca79104814');
  t.equal(parsed.boards[0]?.serial, 'JYZZB1');
  t.match(parseStats(stats(good, { CGMiner: '4.10.0', Type: 'Antminer D3 Blissz v2.06 beta' })), {
    model: 'Antminer D3',
    firmware: 'CGMiner 4.10.0 (Blissz v2.06 beta)',
  });
  const headless: CgminerReply = { ...stats(good), body: { STATS: [good] } };
  t.match(parseStats(headless), { model: 'unknown', firmware: 'cgminer 1.0.0' });
});

t.test('a stats reply it cannot trust is a bad reply', async (t) => {
  const bad: Array<[string, Record<string, unknown>]> = [
    ['no STATS', {}],
    ['STATS not a list', { STATS: good }],
    ['only the version block', { STATS: [S19] }],
  ];
  for (const [name, body] of bad) {
    t.throws(() => parseStats({ ...stats(good), body }), { code: 'MINER_BAD_REPLY' }, name);
  }
  const badData: Array<[string, Record<string, unknown>]> = [
    ['no GHS 5s', { 'GHS 5s': undefined }],
    ['NaN hashrate', { 'GHS 5s': 'nan' }],
    ['null average', { 'GHS av': null }],
    ['negative hashrate', { 'GHS 5s': -1 }],
    ['hashrate of a whole network', { 'GHS 5s': 9e12 }],
    ['unknown rate unit', { rate_unit: 'XH' }],
    ['negative uptime', { Elapsed: -5 }],
    ['uptime as a word', { Elapsed: 'long' }],
    ['mode as a word', { Mode: 'sleep' }],
    ['mode past a byte', { Mode: 999 }],
    ['chip count as a word', { chain_acn1: 'many' }],
    ['negative chip count', { chain_acn1: -1 }],
    ['huge chip count', { chain_acn1: 1e9 }],
    ['chip status not a string', { chain_acs1: 5 }],
    ['board rate as a word', { chain_rate1: 'fast' }],
    ['negative board rate', { chain_rate1: -3 }],
    ['ideal rate NaN', { total_rateideal: 'nan' }],
    ['temperature as a word', { temp_pcb1: 'hot' }],
    ['broken sensor list', { temp_chip1: '70-abc-71' }],
    ['temperature of a furnace', { temp_chip1: '70-900' }],
    ['temperature as an object', { temp_pcb1: {} }],
    ['old single temperature NaN', { temp_pcb1: undefined, temp1: Number.NaN }],
    ['fan as a word', { fan1: 'spinning' }],
    ['negative fan', { fan1: -1 }],
    ['jet-engine fan', { fan1: 1e9 }],
  ];
  for (const [name, change] of badData) {
    t.throws(() => parseStats(stats({ ...good, ...change })), { code: 'MINER_BAD_REPLY' }, name);
  }
});

t.test('the control board id is the serial, unless it was never written (all zeros)', async (t) => {
  t.equal(parseStats(stats({ ...good, miner_id: '8144d5ca79104814' })).serial, '8144d5ca79104814');
  t.equal(parseStats(stats({ ...good, miner_id: '0000000000000000' })).serial, undefined);
  t.equal(parseStats(stats({ ...good, miner_id: '  ' })).serial, undefined);
});
