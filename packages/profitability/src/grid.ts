import {
  type CalculationInput,
  type CalculationResult,
  calculate,
  LIMITS,
  money,
  prepare,
  resolveInputs,
} from './calculate.js';
import { prefixField } from './errors.js';
import { checkArray, checkNumber } from './validate.js';

/** Most inputs one batch takes. */
export const MAX_BATCH = 10_000;
/** Most prices on one heatmap axis (500 × 500 = 250,000 cells). */
export const MAX_HEATMAP_AXIS = 500;

/** calculate() over many inputs; a bad one fails the batch with its index in the field, e.g. `[3].difficulty`. */
export function calculateBatch(inputs: readonly CalculationInput[]): CalculationResult[] {
  // Array.from visits holes of a sparse array (as undefined, refused) where .map would skip them.
  return Array.from(checkArray(inputs, 'inputs', 1, MAX_BATCH), (input, index) => {
    try {
      return calculate(input as CalculationInput);
    } catch (error) {
      throw prefixField(error, `[${index}]`);
    }
  });
}

export interface Heatmap {
  /** Row keys, USD. */
  btcPrices: number[];
  /** Column keys, USD/kWh. */
  electricityPrices: number[];
  /** dailyProfitUsd[i][j] at btcPrices[i] and electricityPrices[j]: exactly calculate()'s dailyProfitUsd. */
  dailyProfitUsd: number[][];
  /** paybackDays[i][j]: exactly calculate()'s paybackDays (null = never). */
  paybackDays: (number | null)[][];
}

/**
 * ROI heatmap: the static calculation for every BTC price × electricity price, other inputs from `base` (whose own
 * btcUsd and electricityUsdPerKwh are validated but replaced). The price-free part is computed once and each cell
 * goes through the same money() as calculate(), so a cell equals the single calculation bit for bit.
 */
export function heatmap(
  base: CalculationInput,
  btcPrices: readonly number[],
  electricityPrices: readonly number[],
): Heatmap {
  const prepared = prepare(resolveInputs(base));
  const rows = Array.from(checkArray(btcPrices, 'btcPrices', 1, MAX_HEATMAP_AXIS), (price, i) =>
    checkNumber(price, `btcPrices[${i}]`, { min: 0, max: LIMITS.btcUsd }),
  );
  const columns = Array.from(
    checkArray(electricityPrices, 'electricityPrices', 1, MAX_HEATMAP_AXIS),
    (price, j) => checkNumber(price, `electricityPrices[${j}]`, { min: 0, max: LIMITS.electricityUsdPerKwh }),
  );
  const dailyProfitUsd: number[][] = [];
  const payback: (number | null)[][] = [];
  for (const btcUsd of rows) {
    const profitRow: number[] = [];
    const paybackRow: (number | null)[] = [];
    for (const electricityUsdPerKwh of columns) {
      const m = money(prepared, btcUsd, electricityUsdPerKwh);
      profitRow.push(m.dailyProfitUsd);
      paybackRow.push(m.paybackDays);
    }
    dailyProfitUsd.push(profitRow);
    payback.push(paybackRow);
  }
  return { btcPrices: rows, electricityPrices: columns, dailyProfitUsd, paybackDays: payback };
}
