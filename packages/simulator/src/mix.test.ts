import t from 'tap';
import { assignMix, parseMix } from './mix.js';

t.test('counts follow the percentages exactly and add up', async (t) => {
  const mix = parseMix('antminer:60,whatsminer:25,avalon:10,braiins:5');
  for (const count of [0, 1, 3, 7, 20, 99, 100, 333, 5000]) {
    const order = assignMix(mix, count);
    t.equal(order.length, count, `${count} miners`);
    const tally = (name: string) => order.filter((firmware) => firmware === name).length;
    const total = tally('antminer') + tally('whatsminer') + tally('avalon') + tally('braiins');
    t.equal(total, count);
    for (const [name, percent] of Object.entries(mix)) {
      t.ok(
        Math.abs(tally(name) - (count * percent) / 100) < 1,
        `${count}: ${name} ${tally(name)} ≈ ${percent}%`,
      );
    }
  }
  t.same(
    assignMix(mix, 100)
      .slice(0, 20)
      .filter((name) => name === 'antminer').length,
    12,
    'spread, not in blocks',
  );
});

t.test('a single firmware takes every miner; a 0% one none', async (t) => {
  t.same(assignMix(parseMix('luxos:100,vnish:0'), 4), ['luxos', 'luxos', 'luxos', 'luxos']);
});

t.test('the same mix and count always give the same order', async (t) => {
  const mix = parseMix('vnish:33,luxos:33,avalon:34');
  t.same(assignMix(mix, 50), assignMix(mix, 50));
});
