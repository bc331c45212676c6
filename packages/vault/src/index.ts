// Signing of commands and sealing of secrets for agents, on node:crypto only.
export { VaultError, type VaultErrorCode } from './errors.js';
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
