import t from 'tap';
import { temperatureAt } from './parse.js';

t.test('temperatures in °C; absent or 0 (no sensor) is undefined', async (t) => {
  const temps = { board: 75, chip: '80.5', cold: -12, none: 0, empty: '0' };
  t.equal(temperatureAt(temps, 'board'), 75);
  t.equal(temperatureAt(temps, 'chip'), 80.5);
  t.equal(temperatureAt(temps, 'cold'), -12, 'an outdoor site in winter');
  t.equal(temperatureAt(temps, 'none'), undefined);
  t.equal(temperatureAt(temps, 'empty'), undefined);
  t.equal(temperatureAt(temps, 'missing'), undefined);
});

t.test('a temperature no miner reaches is a bad reply', async (t) => {
  for (const value of [201, -61, 'hot', '', null, true, Number.NaN, Number.POSITIVE_INFINITY]) {
    t.throws(() => temperatureAt({ t: value }, 't'), { code: 'MINER_BAD_REPLY' }, String(value));
  }
});
