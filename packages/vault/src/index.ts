// Signing of commands and sealing of secrets for agents, on node:crypto only.
export {
  associatedData,
  credentialAad,
  decodeBlob,
  encodeBlob,
  type GcmParts,
  gcmDecrypt,
  gcmEncrypt,
  IV_BYTES,
  KEY_BYTES,
  openBlob,
  sealBlob,
  TAG_BYTES,
} from './envelope.js';
export { VaultError, type VaultErrorCode } from './errors.js';
export { deriveKey, type KeyWrapper, LocalKeyring, parseKeyring, type Wrapped } from './keyring.js';
export {
  exportPrivateKey,
  generateKeyPair,
  importPrivateKey,
  importPublicKey,
  type KeyKind,
  type KeyPair,
  keyIdOf,
  rawPublicKey,
} from './keys.js';
export { scrubSecrets } from './scrub.js';
export {
  type CredentialHeader,
  type MinerLogin,
  openCredential,
  type Recipient,
  sealCredential,
  verifySealedCredential,
} from './seal.js';
export {
  appendSignature,
  type SigningKey,
  signCommand,
  type VerifyKey,
  verifyCommand,
  verifySignature,
} from './sign.js';
