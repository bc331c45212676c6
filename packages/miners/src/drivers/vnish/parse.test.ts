import t from 'tap';
import type { CgminerReply } from '../../transports/cgminer/index.js';
import { parseBoards, parseChainFaults, parsePowerW, parseType, parseVnish } from './parse.js';

const stats = (data: Record<string, unknown>, type = 'Antminer S21 Pro (Vnish 1.2.7)'): CgminerReply => ({
  status: { letter: 'S', code: 70, msg: 'CGMiner stats', description: 'cgminer 4.11.1', when: 0 },
  body: { STATS: [{ Type: type }, data] },
});
const data = {
  Elapsed: 60,
  'GHS 5s': 0,
  'GHS av': 0,
  fan_num: 4,
  fan1: 6000,
  fan2: 6000,
  fan3: 6000,
  fan4: 6000,
};
const bad = { name: 'MinerError', code: 'MINER_BAD_REPLY' };

t.test('model and firmware from the Type line', async (t) => {
  t.same(parseType('Antminer S21 Pro (Vnish 1.2.7)', 'cgminer 4.11.1'), {
    model: 'Antminer S21 Pro',
    firmware: 'VNish 1.2.7',
  });
  t.same(parseType('Antminer S19j Pro (vnish 1.1.0-rc2)\nV1', 'x'), {
    model: 'Antminer S19j Pro',
    firmware: 'VNish 1.1.0-rc2',
  });
  t.same(parseType('Antminer S9 (custom)', 'cgminer 4.11.1'), {
    model: 'Antminer S9',
    firmware: 'cgminer 4.11.1',
  });
  t.same(parseType(undefined, 'cgminer 4.11.1'), { model: 'unknown', firmware: 'cgminer 4.11.1' });
});

t.test('stopped from the web UI, the miner is sleeping; without a model it expects nothing', async (t) => {
  const reading = parseVnish('10.0.0.1', { stats: stats({ ...data, state: 'stopped' }) });
  t.equal(reading.status, 'sleeping');
  t.equal(parseVnish('10.0.0.1', { stats: stats({ ...data, state: 'failure' }) }).status, 'offline');
  const unknown = parseVnish('10.0.0.1', { stats: stats({ ...data, 'GHS 5s': 1 }, 'Miner') });
  t.match(unknown, { model: 'Miner', vendor: 'other', hashrateExpectedMhs: 0, status: 'ok' });
});

t.test('a dead board, a stopped fan and a fault degrade the miner and are reported', async (t) => {
  const reading = parseVnish('10.0.0.1', {
    stats: stats({
      ...data,
      'GHS 5s': 100,
      fan4: 0,
      chain_acn1: 65,
      chain_rate1: 100,
      chain_acn2: 0,
      chain_rate2: '',
      chain_rateideal2: 65.5,
      chain_fault2: 'no chips found ',
      chain_fault1: '',
    }),
  });
  t.equal(reading.status, 'degraded');
  t.same(reading.boards, [
    { index: 0, hashrateMhs: 100_000, chips: 65, chipsExpected: 0 },
    { index: 1, hashrateMhs: 0, chips: 0, chipsExpected: 0 },
  ]);
  t.same(reading.errors, [{ code: 'VNISH_CHAIN_FAULT', message: 'chain 2: no chips found' }]);
});

t.test('missing sections are absent data', async (t) => {
  t.same(parseBoards({}), []);
  t.same(
    parseBoards({ chain_acn1: 0, chain_rate1: '', chain_acn2: 0, chain_rate2: 0 }),
    [],
    'empty connectors',
  );
  t.equal(parsePowerW({}), undefined);
  t.same(parseChainFaults({ chain_fault1: 3 }), []);
  t.notOk('powerW' in parseVnish('10.0.0.1', { stats: stats(data) }));
});

t.test('wrong types, NaN, negative and huge numbers are bad replies, not values', async (t) => {
  const cases: Array<[string, () => unknown]> = [
    ['no data record', () => parseVnish('10.0.0.1', { stats: stats({ 'GHS 5s': 1 }) })],
    ['STATS missing', () => parseVnish('10.0.0.1', { stats: { ...stats(data), body: {} } })],
    ['chain rate as text', () => parseBoards({ chain_acn1: 65, chain_rate1: 'fast' })],
    ['negative chain rate', () => parseBoards({ chain_acn1: 65, chain_rate1: -1 })],
    ['NaN chips', () => parseBoards({ chain_acn1: 'nan' })],
    ['chip at 900 °C', () => parseBoards({ chain_acn1: 65, temp2_1: 900 })],
    ['huge rated rate', () => parseVnish('10.0.0.1', { stats: stats({ ...data, total_rateideal: 1e13 }) })],
    ['power as null', () => parsePowerW({ chain_consumption1: null })],
    ['negative power', () => parsePowerW({ chain_consumption1: -861 })],
    ['power of a city', () => parsePowerW({ chain_consumption1: 1e9 })],
  ];
  for (const [name, parse] of cases) t.throws(parse, bad, name);
});
