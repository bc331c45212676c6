import t from 'tap';
import type { CgminerReply } from '../../transports/cgminer/index.js';
import { parseTotals } from './parse.js';
import { numberedKeys, statsData, statsFans, statsType } from './stats.js';

const reply = (stats: unknown): CgminerReply => ({
  status: { letter: 'S', code: 70, msg: 'CGMiner stats', description: 'cgminer 4.11.1', when: 0 },
  body: { STATS: stats },
});
const header = { Type: 'Antminer S9 (vnish 3.8.6)', Miner: '26.0.1.3' };
const data = { STATS: 0, Elapsed: 3617, 'GHS 5s': '12795.48', 'GHS av': 12900.71, fan_num: 2 };

t.test('header and data record of a bmminer stats reply', async (t) => {
  const stats = reply([header, { ...data, fan1: 0, fan5: 5400, fan6: 5880 }]);
  t.equal(statsType(stats), 'Antminer S9 (vnish 3.8.6)');
  t.same(statsFans(statsData(stats)), { fansRpm: [5400, 5880], fansExpected: 2 });
  t.same(parseTotals(statsData(stats)), {
    hashrateMhs: 12_795_480,
    hashrateAvgMhs: 12_900_710,
    uptimeS: 3617,
    accepted: 0,
    rejected: 0,
    stale: 0,
  });
});

t.test('fans in slot order, whatever the key order; no fan_num, no count', async (t) => {
  t.same(statsFans({ fan10: 3, fan2: 2, fan1: 1, fan_pwm: 90 }), { fansRpm: [1, 2, 3] });
  t.same(
    numberedKeys({ chain_acn6: 63, chain_acn10: 0, chain_acs6: '', chain_acn: 1 }, 'chain_acn'),
    [6, 10],
  );
});

t.test('a stats reply without a data record, or with broken fans, is a bad reply', async (t) => {
  const bad: Array<[string, () => unknown]> = [
    ['no STATS', () => statsData(reply(undefined))],
    ['header only', () => statsData(reply([header]))],
    ['STATS not a list', () => statsData(reply({ ...data }))],
    ['fan as text', () => statsFans({ fan1: 'fast' })],
    ['negative fan', () => statsFans({ fan1: -1 })],
    ['absurd fan', () => statsFans({ fan1: 1e9 })],
    ['fan_num not a number', () => statsFans({ fan1: 1, fan_num: null })],
  ];
  for (const [name, parse] of bad) t.throws(parse, { name: 'MinerError', code: 'MINER_BAD_REPLY' }, name);
  t.equal(statsType(reply([data])), undefined, 'no header, no model line');
});
