export type ProfitErrorCode = 'PROFIT_BAD_INPUT';

/**
 * An input the maths refuses: not a number, not finite, out of its range. `field` names the input (for a batch or a
 * heatmap axis it carries the position, e.g. `[3].difficulty` or `btcPrices[7]`) so an API can point at it.
 */
export class ProfitError extends Error {
  override readonly name = 'ProfitError';
  constructor(
    readonly code: ProfitErrorCode,
    readonly field: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The same error with its field moved under a prefix, for inputs nested in a batch. */
export function prefixField(error: unknown, prefix: string): unknown {
  if (!(error instanceof ProfitError)) return error;
  const field = `${prefix}.${error.field}`;
  return new ProfitError(error.code, field, `${field}: ${error.message.replace(/^[^:]*: /, '')}`, {
    cause: error,
  });
}
