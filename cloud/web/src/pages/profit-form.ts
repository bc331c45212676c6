// The calculator form as text fields, and the POST /api/calculate body it stands for. Pure: the page shows the
// problems this finds next to their fields; the cloud checks the same bounds again (calculationBody's schema).

export const PAYOUT_SCHEMES = ['FPPS', 'PPS+', 'PPLNS', 'PPS'] as const;
export type PayoutScheme = (typeof PAYOUT_SCHEMES)[number];

/** What the user typed; '' is "not given" (the cloud's default or the network figure is used). */
export interface CalculatorForm {
  /** A catalog id, or '' for a custom machine given by hashrate and power. */
  model: string;
  hashrateTh: string;
  powerW: string;
  quantity: string;
  /** USD per kWh. */
  electricityCost: string;
  poolFeePercent: string;
  payoutScheme: string;
  /** USD per machine per 30-day month. */
  hostingFee: string;
  /** USD per machine, for the payback time. */
  hardwareCostUsd: string;
  btcPrice: string;
  difficulty: string;
}

export type FormField = keyof CalculatorForm;
/** What is wrong with a field; 'order' is a high end not above the low one. */
export type Problem = 'required' | 'number' | 'range' | 'integer' | 'order';
export interface FieldError<F extends string = FormField> {
  field: F;
  problem: Problem;
}

/** The request body, snake_case like the calculator API. */
export interface CalculationBody {
  miner_model?: string;
  hashrate_th?: number;
  power_w?: number;
  quantity: number;
  electricity_cost: number;
  pool_fee_percent?: number;
  payout_scheme?: PayoutScheme;
  hosting_fee?: number;
  hardware_cost_usd?: number;
  btc_price?: number;
  difficulty?: number;
}

export const emptyForm = (model = ''): CalculatorForm => ({
  model,
  hashrateTh: '',
  powerW: '',
  quantity: '1',
  electricityCost: '0.06',
  poolFeePercent: '',
  payoutScheme: '',
  hostingFee: '',
  hardwareCostUsd: '',
  btcPrice: '',
  difficulty: '',
});

// Plain decimals only: Number() would also take '0x10', 'Infinity' or '' (as 0), none of which anyone means.
const DECIMAL = /^\s*\d+(?:\.\d*)?(?:[eE][+-]?\d+)?\s*$|^\s*\.\d+(?:[eE][+-]?\d+)?\s*$/;

/** A non-negative finite number from user text, undefined for blank, NaN for anything else. */
export function parseDecimal(text: string): number | undefined {
  if (text.trim() === '') return undefined;
  if (text.length > 40 || !DECIMAL.test(text)) return Number.NaN;
  const value = Number(text);
  return Number.isFinite(value) ? value : Number.NaN;
}

interface Bounds {
  min: number;
  max: number;
  /** The minimum itself is refused (a hashrate or a price of zero). */
  exclusiveMin?: boolean;
  integer?: boolean;
}

// The cloud's bounds (cloud/src/features/profitability/schemas.ts).
const BOUNDS = {
  hashrateTh: { min: 0, max: 1e9, exclusiveMin: true },
  powerW: { min: 0, max: 1e9 },
  quantity: { min: 1, max: 10_000_000, integer: true },
  electricityCost: { min: 0, max: 1e6 },
  poolFeePercent: { min: 0, max: 100 },
  hostingFee: { min: 0, max: 1e12 },
  hardwareCostUsd: { min: 0, max: 1e12 },
  btcPrice: { min: 0, max: 1e12, exclusiveMin: true },
  difficulty: { min: 1, max: 1e30 },
} satisfies Partial<Record<FormField, Bounds>>;

type NumberField = keyof typeof BOUNDS;

/** A bounded number field: its value, undefined when blank, or the problem with it. */
export function readNumber(
  text: string,
  bounds: Bounds,
  required: boolean,
): { value?: number; problem?: Problem } {
  const value = parseDecimal(text);
  if (value === undefined) return required ? { problem: 'required' } : {};
  if (Number.isNaN(value)) return { problem: 'number' };
  if (bounds.integer && !Number.isInteger(value)) return { problem: 'integer' };
  const tooLow = bounds.exclusiveMin ? value <= bounds.min : value < bounds.min;
  if (tooLow || value > bounds.max) return { problem: 'range' };
  return { value };
}

export type Checked<T, F extends string = FormField> =
  | { ok: true; value: T }
  | { ok: false; errors: FieldError<F>[] };

/** The body for `form`, or every field that is wrong (all at once, so the user fixes them in one go). */
export function calculationBody(form: CalculatorForm): Checked<CalculationBody> {
  const errors: FieldError[] = [];
  const custom = form.model === '';
  const required = new Set<NumberField>(['quantity', 'electricityCost']);
  if (custom) {
    required.add('hashrateTh');
    required.add('powerW');
  }
  const numbers: Partial<Record<NumberField, number>> = {};
  for (const field of Object.keys(BOUNDS) as NumberField[]) {
    // A catalog model brings its own hashrate and power; the cloud refuses both at once.
    if (!custom && (field === 'hashrateTh' || field === 'powerW')) continue;
    const { value, problem } = readNumber(form[field], BOUNDS[field], required.has(field));
    if (problem !== undefined) errors.push({ field, problem });
    else if (value !== undefined) numbers[field] = value;
  }
  const scheme = PAYOUT_SCHEMES.find((s) => s === form.payoutScheme);
  if (form.payoutScheme !== '' && scheme === undefined)
    errors.push({ field: 'payoutScheme', problem: 'range' });
  if (errors.length > 0) return { ok: false, errors };
  const body: CalculationBody = {
    quantity: numbers.quantity as number,
    electricity_cost: numbers.electricityCost as number,
  };
  if (custom) {
    body.hashrate_th = numbers.hashrateTh as number;
    body.power_w = numbers.powerW as number;
  } else body.miner_model = form.model;
  if (numbers.poolFeePercent !== undefined) body.pool_fee_percent = numbers.poolFeePercent;
  if (scheme !== undefined) body.payout_scheme = scheme;
  if (numbers.hostingFee !== undefined) body.hosting_fee = numbers.hostingFee;
  if (numbers.hardwareCostUsd !== undefined) body.hardware_cost_usd = numbers.hardwareCostUsd;
  if (numbers.btcPrice !== undefined) body.btc_price = numbers.btcPrice;
  if (numbers.difficulty !== undefined) body.difficulty = numbers.difficulty;
  return { ok: true, value: body };
}
