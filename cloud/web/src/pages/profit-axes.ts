import { type Checked, type FieldError, readNumber } from './profit-form';

// The two price axes of the heatmap: evenly spaced values between a low and a high price. Pure.

/** Enough cells to compare, few enough to read each value on a laptop (the cloud takes up to 100 per axis). */
export const MAX_STEPS = 12;

export interface AxisForm {
  btcFrom: string;
  btcTo: string;
  btcSteps: string;
  powerFrom: string;
  powerTo: string;
  powerSteps: string;
}
export type AxisField = keyof AxisForm;

/** `steps` values from `min` to `max`, rounded to one digit finer than the spacing, without repeats. */
export function axis(min: number, max: number, steps: number): number[] {
  const spacing = (max - min) / (steps - 1);
  const decimals = Math.max(0, Math.min(6, 1 - Math.floor(Math.log10(spacing))));
  const values: number[] = [];
  for (let i = 0; i < steps; i++) {
    const value = Number((min + spacing * i).toFixed(decimals));
    if (values[values.length - 1] !== value) values.push(value);
  }
  return values;
}

/**
 * A BTC price axis with `price` (to the thousand) as its middle row and three rows either side, about a sixth of
 * the price apart on round thousands: every row is a price someone would type.
 */
export function btcAxisAround(price: number): Pick<AxisForm, 'btcFrom' | 'btcTo' | 'btcSteps'> {
  const thousand = (value: number) =>
    Number.isFinite(value) ? Math.max(1000, Math.round(value / 1000) * 1000) : 1000;
  const middle = thousand(price);
  const spacing = thousand(price / 6);
  const from = Math.max(spacing, middle - 3 * spacing);
  return { btcFrom: String(from), btcTo: String(from + 6 * spacing), btcSteps: '7' };
}

export const DEFAULT_POWER_AXIS = { powerFrom: '0.02', powerTo: '0.12', powerSteps: '6' } as const;

export interface Axes {
  btc_prices: number[];
  electricity_prices: number[];
}

/** Both axes from the form, or what is wrong: low below high, 2 to MAX_STEPS steps, prices within bounds. */
export function axesFrom(form: AxisForm): Checked<Axes, AxisField> {
  const errors: FieldError<AxisField>[] = [];
  const read = (from: AxisField, to: AxisField, steps: AxisField, max: number, minExclusive: boolean) => {
    const before = errors.length;
    const low = readNumber(form[from], { min: 0, max, exclusiveMin: minExclusive }, true);
    const high = readNumber(form[to], { min: 0, max, exclusiveMin: true }, true);
    const count = readNumber(form[steps], { min: 2, max: MAX_STEPS, integer: true }, true);
    if (low.problem) errors.push({ field: from, problem: low.problem });
    if (high.problem) errors.push({ field: to, problem: high.problem });
    else if (low.value !== undefined && high.value !== undefined && high.value <= low.value)
      errors.push({ field: to, problem: 'order' });
    if (count.problem) errors.push({ field: steps, problem: count.problem });
    return errors.length > before
      ? []
      : axis(low.value as number, high.value as number, count.value as number);
  };
  const btc = read('btcFrom', 'btcTo', 'btcSteps', 1e12, true);
  const power = read('powerFrom', 'powerTo', 'powerSteps', 1e6, false);
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: { btc_prices: btc, electricity_prices: power } };
}
