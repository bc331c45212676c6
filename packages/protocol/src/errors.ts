export type ProtocolErrorCode =
  | 'PROTOCOL_TOO_LARGE'
  | 'PROTOCOL_MALFORMED'
  | 'PROTOCOL_INVALID'
  | 'PROTOCOL_BAD_TOPIC';

/** Bad bytes or a bad topic from the wire. `code` says which kind; the message says what exactly. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
