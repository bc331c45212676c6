import t from 'tap';
import type { CgminerReply } from '../../transports/cgminer/index.js';
import { isCurtailed, parseBoards, parseLuxos, parseModel, parsePowerW } from './parse.js';

const reply = (body: Record<string, unknown>): CgminerReply => ({
  status: { letter: 'S', code: 70, msg: 'x', description: 'LUXminer 2025.4.8', when: 0 },
  body,
});
const data = { Elapsed: 60, 'GHS 5s': 0, 'GHS av': 0, chain_acn1: 77 };
const stats = reply({ STATS: [{ Type: 'Antminer S19k Pro' }, data] });
const dev = { ASC: 0, ID: 0, 'MHS 5s': 0, Temperature: 40 };
const bad = { name: 'MinerError', code: 'MINER_BAD_REPLY' };

t.test('curtailed to sleep, the miner is sleeping, not offline', async (t) => {
  const config = reply({ CONFIG: [{ CurtailMode: 'Sleep' }] });
  t.equal(parseLuxos('10.0.0.1', { stats, config }).status, 'sleeping');
  t.equal(
    parseLuxos('10.0.0.1', { stats, config: reply({ CONFIG: [{ CurtailMode: 'None' }] }) }).status,
    'offline',
  );
  t.equal(parseLuxos('10.0.0.1', { stats }).status, 'offline', 'config refused: not known to sleep');
  t.notOk(isCurtailed({ CurtailMode: '' }));
  t.notOk(isCurtailed({ CurtailMode: 3 }));
});

t.test('sensors are picked by their label; unlabelled or water sensors are not inlet/outlet', async (t) => {
  const temps = reply({
    METADATA: [{ A: { Label: 'Water Inlet' }, B: { Label: 'Board Intake' }, C: 'broken', D: { Label: 7 } }],
    TEMPS: [{ ID: 0, A: 20, B: 0, C: 90, D: 95 }],
  });
  t.same(parseBoards(reply({ DEVS: [dev] }), temps, data), [
    { index: 0, hashrateMhs: 0, boardTempC: 40, chips: 77, chipsExpected: 0 },
  ]);
});

t.test('missing sections are absent data', async (t) => {
  t.same(parseBoards(undefined, undefined, data), []);
  t.same(parseBoards(reply({ DEVS: [{ 'MHS 5s': 5, SerialNumber: ' ' }] }), reply({ TEMPS: 'x' }), {}), [
    { index: 0, hashrateMhs: 5, chips: 0, chipsExpected: 0 },
  ]);
  t.equal(parsePowerW(reply({ POWER: [{ PSU: false }] })), undefined);
  t.equal(parsePowerW(undefined), undefined);
  t.equal(parseModel({}, reply({ STATS: [data] })), 'unknown');
  t.equal(parseModel({ Model: '' }, stats), 'Antminer S19k Pro', 'from the stats header');
  const reading = parseLuxos('10.0.0.1', {
    stats,
    config: reply({ CONFIG: [{ MACAddr: 'none', Hostname: 5 }] }),
  });
  t.notOk('mac' in reading || 'hostname' in reading || 'serial' in reading, 'nothing guessed');
});

t.test('wrong types, NaN, negative and huge numbers are bad replies, not values', async (t) => {
  const cases: Array<[string, () => unknown]> = [
    [
      'stats without a data record',
      () => parseLuxos('10.0.0.1', { stats: reply({ STATS: [{ Type: 'x' }] }) }),
    ],
    [
      'hashrate as text',
      () => parseLuxos('10.0.0.1', { stats: reply({ STATS: [{ ...data, 'GHS 5s': 'x' }] }) }),
    ],
    [
      'board hashrate NaN',
      () => parseBoards(reply({ DEVS: [{ ...dev, 'MHS 5s': 'nan' }] }), undefined, data),
    ],
    ['negative chips', () => parseBoards(reply({ DEVS: [dev] }), undefined, { chain_acn1: -1 })],
    [
      'board at 1000 °C',
      () => parseBoards(reply({ DEVS: [{ ...dev, Temperature: 1000 }] }), undefined, data),
    ],
    [
      'sensor as text',
      () =>
        parseBoards(
          reply({ DEVS: [dev] }),
          reply({ METADATA: [{ A: { Label: 'Board Exhaust' } }], TEMPS: [{ ID: 0, A: 'hot' }] }),
          data,
        ),
    ],
    ['negative watts', () => parsePowerW(reply({ POWER: [{ Watts: -1 }] }))],
    ['watts of a city', () => parsePowerW(reply({ POWER: [{ Watts: 1e9 }] }))],
  ];
  for (const [name, parse] of cases) t.throws(parse, bad, name);
});
