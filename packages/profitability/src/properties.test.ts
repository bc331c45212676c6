// Properties over random valid inputs (fast-check): the grid helpers agree with calculate(), the maths moves the
// right way, break-evens are zeros of profit, and any non-finite or negative number is refused by name.
import fc from 'fast-check';
import t from 'tap';
import { type CalculationInput, calculate } from './calculate.js';
import { calculateBatch, heatmap } from './grid.js';
import { project } from './projection.js';
import { refuses } from './test-helpers.js';

const RUNS = { numRuns: 200 };

/** 0 or a normal double up to max: subnormals lose the relative precision the proportionality checks need. */
const amount = (max: number) => fc.oneof(fc.constant(0), fc.double({ min: 1e-9, max, noNaN: true }));
const price = amount(1_000_000);
const electricity = amount(2);
const input: fc.Arbitrary<CalculationInput> = fc.record({
  hashrateTh: amount(2000),
  powerW: amount(20_000),
  quantity: fc.integer({ min: 0, max: 100_000 }),
  hoursPerDay: fc.oneof(fc.constant(24), amount(24)),
  difficulty: fc.double({ min: 1, max: 1e16, noNaN: true }),
  btcUsd: price,
  electricityUsdPerKwh: electricity,
  blockHeight: fc.integer({ min: 0, max: 7_000_000 }),
  avgFeesPerBlockBtc: amount(5),
  poolFeePercent: amount(100),
  payoutScheme: fc.constantFrom('FPPS' as const, 'PPS+' as const, 'PPLNS' as const, 'PPS' as const),
  hostingUsdPerUnitMonth: amount(500),
  hostingRevenueSharePercent: amount(100),
  hardwareCostUsd: amount(20_000),
});

t.test('heatmap cells and batch items equal calculate() exactly', async (t) => {
  fc.assert(
    fc.property(
      input,
      fc.array(price, { minLength: 1, maxLength: 6 }),
      fc.array(electricity, { minLength: 1, maxLength: 6 }),
      (base, btcPrices, electricityPrices) => {
        const map = heatmap(base, btcPrices, electricityPrices);
        btcPrices.forEach((btcUsd, i) => {
          electricityPrices.forEach((electricityUsdPerKwh, j) => {
            const single = calculate({ ...base, btcUsd, electricityUsdPerKwh });
            if (!Object.is(map.dailyProfitUsd[i]![j], single.dailyProfitUsd))
              throw new Error(`profit [${i}][${j}]`);
            if (!Object.is(map.paybackDays[i]![j], single.paybackDays))
              throw new Error(`payback [${i}][${j}]`);
          });
        });
      },
    ),
    RUNS,
  );
  fc.assert(
    fc.property(fc.array(input, { minLength: 1, maxLength: 5 }), (inputs) => {
      t.same(calculateBatch(inputs), inputs.map(calculate));
    }),
    { numRuns: 50 },
  );
});

t.test('profit falls with the electricity price and rises with the BTC price', async (t) => {
  fc.assert(
    fc.property(input, electricity, electricity, price, price, (base, e1, e2, p1, p2) => {
      const [eLow, eHigh] = e1 <= e2 ? [e1, e2] : [e2, e1];
      const [pLow, pHigh] = p1 <= p2 ? [p1, p2] : [p2, p1];
      const cheap = calculate({ ...base, electricityUsdPerKwh: eLow }).dailyProfitUsd;
      const dear = calculate({ ...base, electricityUsdPerKwh: eHigh }).dailyProfitUsd;
      const low = calculate({ ...base, btcUsd: pLow }).dailyProfitUsd;
      const high = calculate({ ...base, btcUsd: pHigh }).dailyProfitUsd;
      return cheap >= dear && high >= low;
    }),
    RUNS,
  );
  t.pass('monotone');
});

t.test('BTC per day is inversely proportional to difficulty and proportional to hashrate', async (t) => {
  fc.assert(
    fc.property(input, fc.double({ min: 1.5, max: 1000, noNaN: true }), (base, factor) => {
      const one = calculate(base).btcPerDay;
      const harder = calculate({ ...base, difficulty: base.difficulty * factor }).btcPerDay;
      const bigger = calculate({ ...base, hashrateTh: base.hashrateTh * factor }).btcPerDay;
      const close = (a: number, b: number) => Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b));
      return close(harder * factor, one) && close(bigger, one * factor);
    }),
    RUNS,
  );
  t.pass('proportional');
});

t.test('break-even prices are zeros of profit', async (t) => {
  fc.assert(
    fc.property(input, (base) => {
      const r = calculate(base);
      const scale = Math.max(1e-9, r.dailyRevenueUsd, r.dailyCostUsd);
      const e = r.breakEvenElectricityUsdPerKwh;
      if (e !== null && e >= 0 && e <= 1e6) {
        const atE = calculate({ ...base, electricityUsdPerKwh: e }).dailyProfitUsd;
        if (Math.abs(atE) > 1e-9 * scale) throw new Error(`profit ${atE} at break-even electricity ${e}`);
      }
      const p = r.breakEvenBtcUsd;
      if (p !== null && p <= 1e12) {
        const atP = calculate({ ...base, btcUsd: p }).dailyProfitUsd;
        if (Math.abs(atP) > 1e-9 * Math.max(scale, r.dailyCostUsd)) throw new Error(`profit ${atP} at ${p}`);
      }
    }),
    RUNS,
  );
  t.pass('zeros');
});

t.test('a projection with nothing changing repeats calculate() every day', async (t) => {
  fc.assert(
    fc.property(input, fc.integer({ min: 1, max: 60 }), (base, days) => {
      // Keep the horizon inside one subsidy era so nothing changes.
      const height = base.blockHeight! - (base.blockHeight! % 210_000);
      const single = calculate({ ...base, blockHeight: height });
      const p = project({ ...base, blockHeight: height, days });
      return p.days.every(
        (d) =>
          Math.abs(d.profitUsd - single.dailyProfitUsd) <=
          1e-12 * Math.max(1, Math.abs(single.dailyRevenueUsd), single.dailyCostUsd),
      );
    }),
    { numRuns: 100 },
  );
  t.pass('steady');
});

t.test('every numeric field refuses NaN, ±Infinity and negatives by name', async (t) => {
  const fields = [
    'hashrateTh',
    'powerW',
    'quantity',
    'hoursPerDay',
    'difficulty',
    'btcUsd',
    'electricityUsdPerKwh',
    'blockHeight',
    'avgFeesPerBlockBtc',
    'poolFeePercent',
    'hostingUsdPerUnitMonth',
    'hostingRevenueSharePercent',
    'hardwareCostUsd',
  ] as const;
  const bad = fc.oneof(
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
    fc.double({ max: -Number.MIN_VALUE, noNaN: true }),
  );
  fc.assert(
    fc.property(input, fc.constantFrom(...fields), bad, (base, field, value) => {
      refuses(t, () => calculate({ ...base, [field]: value }), field, `${field} = ${value}`);
    }),
    { numRuns: 100 },
  );
});
