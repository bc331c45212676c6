// Assertions shared by this package's tests.
import type { Test } from 'tap';
import { ProfitError } from './errors.js';

/** |actual − expected| ≤ rel · |expected|. The bar for published examples is 1e-6 relative. */
export function near(t: Test, actual: number | null, expected: number, rel: number, message: string): void {
  t.ok(
    actual !== null && Math.abs(actual - expected) <= rel * Math.abs(expected),
    `${message}: ${actual} vs ${expected} (rel ${rel})`,
  );
}

/** `fn` throws a ProfitError PROFIT_BAD_INPUT naming `field`, with the field at the head of its message. */
export function refuses(t: Test, fn: () => unknown, field: string, message: string): void {
  try {
    fn();
    t.fail(`${message}: accepted`);
  } catch (error) {
    t.ok(
      error instanceof ProfitError &&
        error.code === 'PROFIT_BAD_INPUT' &&
        error.field === field &&
        error.message.startsWith(`${field}: `),
      `${message}: refused as ${field}`,
      { error },
    );
  }
}
