/**
 * An error a feature throws on purpose. `code` is AREA_REASON; the message is shown to the client as is, so it
 * must not carry secrets or internals.
 */
export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly code: string,
    readonly statusCode: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
