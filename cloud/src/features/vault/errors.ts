import { AppError } from '../../http/errors.js';

/** The same answer for a missing credential and another tenant's credential. */
export const credentialNotFound = () =>
  new AppError('VAULT_CREDENTIAL_NOT_FOUND', 404, 'Credential not found');
/** The scope names a miner, site or agent that is not the caller's (or does not exist). */
export const scopeNotFound = () =>
  new AppError('VAULT_SCOPE_NOT_FOUND', 404, 'The miner, model or site of this scope was not found');
export const versionNotPending = () =>
  new AppError('VAULT_VERSION_NOT_PENDING', 409, 'That credential version is not pending');
export const agentCannotReceive = () =>
  new AppError(
    'VAULT_AGENT_NO_BOX_KEY',
    409,
    'The agent is not enrolled with a box key: it cannot receive credentials',
  );
export const noSigningKey = () =>
  new AppError('VAULT_NO_SIGNING_KEY', 500, 'The cloud holds no command signing key');
/** A stored secret could not be opened: wrong master key, a retired key version, or tampering. */
export const keyUnavailable = (cause: unknown) =>
  new AppError('VAULT_KEY_UNAVAILABLE', 500, 'A stored secret could not be decrypted with the keys held', {
    cause,
  });
