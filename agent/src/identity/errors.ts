/**
 * Why enrollment or loading the identity failed. Messages name what to do and never carry the token, the broker
 * password or a key.
 */
export type IdentityErrorCode =
  | 'IDENTITY_EXISTS'
  | 'IDENTITY_MISSING'
  | 'IDENTITY_INVALID'
  | 'ENROLL_BAD_INPUT'
  | 'ENROLL_UNREACHABLE'
  | 'ENROLL_REFUSED'
  | 'ENROLL_CLOUD_ERROR'
  | 'ENROLL_BAD_ANSWER';

export class IdentityError extends Error {
  override readonly name = 'IdentityError';
  readonly code: IdentityErrorCode;

  constructor(code: IdentityErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
