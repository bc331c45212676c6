export type SimulatorErrorCode =
  | 'SIMULATOR_BAD_ARGS'
  | 'SIMULATOR_NOT_LOOPBACK'
  | 'SIMULATOR_UNKNOWN_MODEL'
  | 'SIMULATOR_MODEL_MISMATCH'
  | 'SIMULATOR_LISTEN_FAILED'
  | 'SIMULATOR_FD_LIMIT';

export class SimulatorError extends Error {
  override readonly name = 'SimulatorError';
  readonly code: SimulatorErrorCode;

  constructor(code: SimulatorErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
