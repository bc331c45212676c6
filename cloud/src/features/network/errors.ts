/** Why one source's answer was not used; logged and shown in the network view, never thrown to a client. */
export type SourceErrorCode =
  | 'NETWORK_SOURCE_TIMEOUT'
  | 'NETWORK_SOURCE_UNREACHABLE'
  | 'NETWORK_SOURCE_HTTP'
  | 'NETWORK_SOURCE_TOO_LARGE'
  | 'NETWORK_SOURCE_GARBAGE'
  | 'NETWORK_SOURCE_ABSURD';

export class SourceError extends Error {
  override readonly name = 'SourceError';
  constructor(
    readonly code: SourceErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
