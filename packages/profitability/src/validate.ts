import { ProfitError } from './errors.js';

interface Range {
  min: number;
  max: number;
  /** The minimum itself is refused (e.g. difficulty must be above 0). */
  minExclusive?: boolean;
  integer?: boolean;
}

/**
 * A finite number inside its range, or a ProfitError naming the field. Takes `unknown` because the cloud passes
 * parsed JSON: a string "5", null, NaN or Infinity must be refused here, not turn into NaN further down.
 */
export function checkNumber(value: unknown, field: string, range: Range): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ProfitError(
      'PROFIT_BAD_INPUT',
      field,
      `${field}: must be a finite number, got ${describe(value)}`,
    );
  }
  if (range.integer === true && !Number.isInteger(value)) {
    throw new ProfitError('PROFIT_BAD_INPUT', field, `${field}: must be an integer, got ${value}`);
  }
  const belowMin = range.minExclusive === true ? value <= range.min : value < range.min;
  if (belowMin || value > range.max) {
    const low = range.minExclusive === true ? `above ${range.min}` : `at least ${range.min}`;
    throw new ProfitError(
      'PROFIT_BAD_INPUT',
      field,
      `${field}: must be ${low} and at most ${range.max}, got ${value}`,
    );
  }
  return value;
}

/** An optional number: `undefined` becomes the fallback, anything else is checked. */
export function optionalNumber(value: unknown, field: string, range: Range, fallback: number): number {
  return value === undefined ? fallback : checkNumber(value, field, range);
}

export function checkObject(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProfitError('PROFIT_BAD_INPUT', field, `${field}: must be an object, got ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

/**
 * Refuse keys the calculation does not know (a misspelt `poolFee` would otherwise silently mean "no pool fee").
 * A key whose value is undefined counts as absent, as it would in JSON.
 */
export function checkKnownKeys(raw: Record<string, unknown>, known: ReadonlySet<string>): void {
  for (const [key, value] of Object.entries(raw)) {
    if (value !== undefined && !known.has(key)) {
      throw new ProfitError('PROFIT_BAD_INPUT', key, `${key}: not an input of this calculation`);
    }
  }
}

export function checkArray(value: unknown, field: string, minLength: number, maxLength: number): unknown[] {
  if (!Array.isArray(value)) {
    throw new ProfitError('PROFIT_BAD_INPUT', field, `${field}: must be an array, got ${describe(value)}`);
  }
  if (value.length < minLength || value.length > maxLength) {
    throw new ProfitError(
      'PROFIT_BAD_INPUT',
      field,
      `${field}: must hold ${minLength} to ${maxLength} entries, got ${value.length}`,
    );
  }
  return value;
}

function describe(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
