export { type EnrollOptions, enroll, safeHostname } from './enroll.js';
export { IdentityError, type IdentityErrorCode } from './errors.js';
export {
  hasIdentity,
  IDENTITY_FILE,
  type Identity,
  type IdentityRecord,
  identityPath,
  KEYS_DIR,
  loadIdentity,
} from './identity.js';
