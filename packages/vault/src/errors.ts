/**
 * Why a signature, key or sealed secret was refused. BAD_SIGNATURE: the bytes were not signed by the key (tampered,
 * truncated, another key). UNKNOWN_KEY: signed with a key id the verifier does not hold. MALFORMED: not a
 * readable message or key. WRONG_RECIPIENT: sealed to another key. OPEN_FAILED: the sealed bytes do not
 * authenticate (tampered, truncated, swapped, wrong private key). KEY_UNAVAILABLE: encrypted under a master-key or
 * data-key version that is no longer held (retired).
 */
export type VaultErrorCode =
  | 'VAULT_BAD_SIGNATURE'
  | 'VAULT_UNSIGNED'
  | 'VAULT_UNKNOWN_KEY'
  | 'VAULT_MALFORMED'
  | 'VAULT_WRONG_RECIPIENT'
  | 'VAULT_OPEN_FAILED'
  | 'VAULT_KEY_UNAVAILABLE';

export class VaultError extends Error {
  override readonly name = 'VaultError';
  readonly code: VaultErrorCode;

  constructor(code: VaultErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
