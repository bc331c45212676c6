import t from 'tap';
import { blockSubsidyBtc, blockSubsidySats, nextHalvingHeight } from './subsidy.js';
import { refuses } from './test-helpers.js';

t.test('subsidy eras at and around every halving boundary that has happened or is next', async (t) => {
  // Heights and amounts of the schedule: 50 BTC, halved every 210,000 blocks (bitcoin/bitcoin src/validation.cpp
  // GetBlockSubsidy). 840,000 was the April 2024 halving to 3.125 BTC.
  const cases: [number, number][] = [
    [0, 50],
    [209_999, 50],
    [210_000, 25],
    [419_999, 25],
    [420_000, 12.5],
    [630_000, 6.25],
    [839_999, 6.25],
    [840_000, 3.125],
    [1_049_999, 3.125],
    [1_050_000, 1.5625],
    [1_260_000, 0.78125],
  ];
  for (const [height, btc] of cases) t.equal(blockSubsidyBtc(height), btc, `height ${height}`);
});

t.test('the satoshi floor and the fee-only era', async (t) => {
  // Halving 32 (height 6,720,000): 5e9 >> 32 = 1 sat. Halving 33 (6,930,000): 0, fees only from then on.
  t.equal(blockSubsidySats(6_719_999), 2);
  t.equal(blockSubsidySats(6_720_000), 1);
  t.equal(blockSubsidySats(6_929_999), 1);
  t.equal(blockSubsidySats(6_930_000), 0);
  t.equal(blockSubsidySats(64 * 210_000), 0, 'past the 64 halvings where Core stops shifting');
  t.equal(blockSubsidySats(1_000_000_000), 0, 'the largest accepted height');
  // Era 10 (2,100,000): 5e9 / 1024 = 4,882,812.5 → 4,882,812 sats, the right shift drops the half.
  t.equal(blockSubsidySats(2_100_000), 4_882_812);
});

t.test('total supply equals Bitcoin Core subsidy_limit_test', async (t) => {
  // bitcoin/bitcoin src/test/validation_tests.cpp, subsidy_limit_test: summing GetBlockSubsidy(h) * 1000 for
  // h = 0, 1000, ..., 13,999,000 gives CAmount{2099999997690000} (20,999,999.9769 BTC). Exact integer comparison.
  let sum = 0;
  for (let height = 0; height < 14_000_000; height += 1000) sum += blockSubsidySats(height) * 1000;
  t.equal(sum, 2_099_999_997_690_000);
});

t.test('next halving height', async (t) => {
  t.equal(nextHalvingHeight(0), 210_000);
  t.equal(nextHalvingHeight(839_999), 840_000);
  t.equal(nextHalvingHeight(840_000), 1_050_000);
  t.equal(nextHalvingHeight(927_000), 1_050_000);
});

t.test('hostile heights are refused with the field name', async (t) => {
  for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 1_000_000_001, 2 ** 60]) {
    refuses(t, () => blockSubsidySats(bad), 'blockHeight', String(bad));
  }
  refuses(t, () => blockSubsidySats('840000' as unknown as number), 'blockHeight', 'a string');
});
