import t from 'tap';
import { type CalculationInput, calculate } from './calculate.js';
import { calculateBatch, heatmap, MAX_BATCH, MAX_HEATMAP_AXIS } from './grid.js';
import { refuses } from './test-helpers.js';

const BASE: CalculationInput = {
  hashrateTh: 200,
  powerW: 3500,
  quantity: 7,
  difficulty: 1.49e14,
  btcUsd: 95_000,
  electricityUsdPerKwh: 0.07,
  blockHeight: 926_500,
  avgFeesPerBlockBtc: 0.031,
  poolFeePercent: 2,
  payoutScheme: 'PPS+',
  hostingUsdPerUnitMonth: 20,
  hostingRevenueSharePercent: 5,
  hardwareCostUsd: 3800,
};

t.test('every heatmap cell equals the single calculation exactly', async (t) => {
  const btcPrices = [0, 20_000, 55_555.55, 95_000, 140_000.01, 250_000];
  const electricityPrices = [0, 0.01, 0.045, 0.07, 0.123, 0.5, 2];
  const map = heatmap(BASE, btcPrices, electricityPrices);
  t.same(map.btcPrices, btcPrices);
  t.same(map.electricityPrices, electricityPrices);
  t.equal(map.dailyProfitUsd.length, btcPrices.length);
  let cells = 0;
  btcPrices.forEach((btcUsd, i) => {
    electricityPrices.forEach((electricityUsdPerKwh, j) => {
      const single = calculate({ ...BASE, btcUsd, electricityUsdPerKwh });
      if (
        map.dailyProfitUsd[i]![j] !== single.dailyProfitUsd ||
        map.paybackDays[i]![j] !== single.paybackDays
      ) {
        t.fail(`cell [${i}][${j}] differs`, {
          map: map.dailyProfitUsd[i]![j],
          single: single.dailyProfitUsd,
        });
      }
      cells++;
    });
  });
  t.equal(cells, 42);
  t.ok(map.paybackDays.flat().includes(null), 'some cells never pay back');
  t.ok(
    map.paybackDays.flat().some((days) => typeof days === 'number' && days > 0),
    'some do',
  );
});

t.test('heatmap refuses bad axes and a bad base', async (t) => {
  refuses(t, () => heatmap(BASE, [], [0.05]), 'btcPrices', 'btcPrices');
  refuses(t, () => heatmap(BASE, [1, Number.NaN], [0.05]), 'btcPrices[1]', 'btcPrices[1]');
  refuses(t, () => heatmap(BASE, [1], [0.05, -1]), 'electricityPrices[1]', 'electricityPrices[1]');
  refuses(t, () => heatmap(BASE, [1], 'x' as unknown as number[]), 'electricityPrices', 'electricityPrices');
  refuses(t, () => heatmap(BASE, new Array(MAX_HEATMAP_AXIS + 1).fill(1), [0.05]), 'btcPrices', 'btcPrices');
  refuses(t, () => heatmap({ ...BASE, difficulty: 0 }, [1], [0.05]), 'difficulty', 'difficulty');
  // biome-ignore lint/suspicious/noSparseArray: a hole is what is tested
  refuses(t, () => heatmap(BASE, [1, , 3] as number[], [0.05]), 'btcPrices[1]', 'a hole in a sparse axis');
});

t.test('batch equals calculate one by one and names the bad item', async (t) => {
  const inputs = [
    BASE,
    { ...BASE, quantity: 1, payoutScheme: 'PPS' as const },
    { ...BASE, blockHeight: 1_050_000 },
  ];
  t.same(calculateBatch(inputs), inputs.map(calculate));
  refuses(t, () => calculateBatch([BASE, { ...BASE, powerW: -1 }]), '[1].powerW', 'second item');
  refuses(t, () => calculateBatch([]), 'inputs', 'inputs');
  refuses(t, () => calculateBatch(new Array(2)), '[0].input', 'holes in a sparse batch');
  refuses(t, () => calculateBatch(new Array(MAX_BATCH + 1).fill(BASE)), 'inputs', 'inputs');
  refuses(t, () => calculateBatch([BASE, null as unknown as CalculationInput]), '[1].input', '[1].input');
});
