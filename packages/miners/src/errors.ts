/**
 * Why a miner could not be read or commanded. Connect timeout and total deadline are distinct because the first
 * means "nobody there" and the second "there, but hung"; an empty reply is what cgminer sends a host it does not
 * allow. AUTH_FAILED: the miner refused our credentials (or offered no way to present them that we accept).
 * UNIDENTIFIED: it answered but no driver recognised it. UNSUPPORTED: the driver does not declare the operation;
 * BAD_ARGUMENT: the operation's arguments are out of range (both raised before any I/O).
 */
export type MinerErrorCode =
  | 'MINER_CONNECT_REFUSED'
  | 'MINER_CONNECT_TIMEOUT'
  | 'MINER_TIMEOUT'
  | 'MINER_REPLY_TOO_LARGE'
  | 'MINER_CONNECTION_RESET'
  | 'MINER_EMPTY_REPLY'
  | 'MINER_BAD_REPLY'
  | 'MINER_COMMAND_FAILED'
  | 'MINER_AUTH_FAILED'
  | 'MINER_UNIDENTIFIED'
  | 'MINER_UNSUPPORTED'
  | 'MINER_BAD_ARGUMENT';

export class MinerError extends Error {
  override readonly name = 'MinerError';
  readonly code: MinerErrorCode;

  constructor(code: MinerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
