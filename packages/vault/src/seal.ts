import {
  createCipheriv,
  createDecipheriv,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { hashinsight, sealedCredentialCodec } from '@hashinsight/protocol';
import { VaultError } from './errors.js';
import { importPublicKey, type KeyPair, rawPublicKey } from './keys.js';
import { appendSignature, type SigningKey, type VerifyKey, verifySignature } from './sign.js';
import { encodeBytesField, withoutFields } from './wire.js';

// A miner login sealed to one agent (credential.proto): X25519 with a fresh ephemeral key, HKDF-SHA256, AES-256-GCM
// whose associated data is the message's own header, then signed by the cloud.

type SealedCredential = hashinsight.v1.SealedCredential;

/** The secret inside a sealed credential. Never log it; keep it only as long as a miner call needs it. */
export interface MinerLogin {
  username: string;
  password: string;
}

/** What a sealed credential says about itself, in the clear. */
export interface CredentialHeader {
  credentialId: string;
  version: number;
  scope: hashinsight.v1.CredentialScope;
  minerIds: string[];
  agentId: string;
}

/** The agent's box key as enrollment registered it. */
export interface Recipient {
  keyId: string;
  /** Base64 of the raw X25519 public key. */
  publicKey: string;
}

const FIELD = { ciphertext: 8, keyId: 10, signature: 11 } as const;
const INFO = Buffer.from('hashinsight/v1 sealed credential');
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** X25519; a small-order peer key gives an all-zero secret, the same for every sender (OpenSSL refuses it). */
function agree(privateKey: KeyObject, publicKey: KeyObject): Buffer {
  let shared: Buffer;
  try {
    shared = diffieHellman({ privateKey, publicKey });
  } catch (cause) {
    throw new VaultError('VAULT_OPEN_FAILED', 'the key agreement failed (an all-zero secret: a weak key)', {
      cause,
    });
  }
  if (shared.every((byte) => byte === 0)) {
    throw new VaultError('VAULT_OPEN_FAILED', 'the key agreement gave an all-zero secret (a weak key)');
  }
  return shared;
}

function contentKey(ephemeralPublic: Uint8Array, recipientPublic: Uint8Array, shared: Buffer): Buffer {
  const salt = Buffer.concat([ephemeralPublic, recipientPublic]);
  return Buffer.from(hkdfSync('sha256', shared, salt, INFO, 32));
}

/** Seals `login` to the agent's box key and signs the result with the cloud's key (the cloud's side). */
export function sealCredential(
  header: CredentialHeader,
  login: MinerLogin,
  recipient: Recipient,
  signer: SigningKey,
): Uint8Array {
  const recipientKey = importPublicKey('x25519', recipient.publicKey);
  const ephemeral = generateKeyPairSync('x25519');
  const ephemeralPublicKey = Buffer.from(rawPublicKey(ephemeral.publicKey), 'base64');
  const shared = agree(ephemeral.privateKey, recipientKey);
  const key = contentKey(ephemeralPublicKey, Buffer.from(recipient.publicKey, 'base64'), shared);
  const nonce = randomBytes(NONCE_BYTES);
  const aad = encodeHeader(header, recipient.keyId, ephemeralPublicKey, nonce);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([
    cipher.update(JSON.stringify({ username: login.username, password: login.password }), 'utf8'),
    cipher.final(),
    cipher.getAuthTag(),
  ]);
  const unsigned = Buffer.concat([
    aad,
    encodeBytesField(FIELD.ciphertext, ciphertext),
    encodeBytesField(FIELD.keyId, Buffer.from(signer.keyId, 'utf8')),
  ]);
  const sealed = appendSignature(unsigned, FIELD.signature, signer);
  sealedCredentialCodec.decode(sealed); // the contract's own limits (sizes, ids)
  return sealed;
}

function encodeHeader(
  header: CredentialHeader,
  recipientKeyId: string,
  ephemeralPublicKey: Uint8Array,
  nonce: Uint8Array,
): Uint8Array {
  // The generated encoder without the codec's validation: the ciphertext, key id and signature come later.
  return hashinsight.v1.SealedCredential.encode({
    credentialId: header.credentialId,
    version: header.version,
    minerIds: header.minerIds,
    scope: header.scope,
    recipientKeyId,
    ephemeralPublicKey,
    nonce,
    agentId: header.agentId,
  }).finish();
}

/**
 * Decodes a sealed credential and checks the cloud's signature and that it is sealed to `box` — without opening
 * it, so the agent can keep it sealed at rest. Throws ProtocolError or VaultError.
 */
export function verifySealedCredential(
  bytes: Uint8Array,
  box: Recipient,
  keys: readonly VerifyKey[],
): SealedCredential {
  const sealed = sealedCredentialCodec.decode(bytes);
  verifySignature(bytes, FIELD.signature, sealed.keyId, keys);
  if (sealed.recipientKeyId !== box.keyId) {
    throw new VaultError('VAULT_WRONG_RECIPIENT', 'the credential is sealed to another key');
  }
  return sealed;
}

/** Opens a sealed credential with the agent's box key pair (the agent's side, only to talk to a miner). */
export function openCredential(bytes: Uint8Array, box: KeyPair, keys: readonly VerifyKey[]): MinerLogin {
  const sealed = verifySealedCredential(bytes, box, keys);
  const shared = agree(
    box.privateKey,
    importPublicKey('x25519', Buffer.from(sealed.ephemeralPublicKey).toString('base64')),
  );
  const key = contentKey(sealed.ephemeralPublicKey, Buffer.from(box.publicKey, 'base64'), shared);
  const body = sealed.ciphertext;
  let plaintext: string;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(withoutFields(bytes, [FIELD.ciphertext, FIELD.keyId, FIELD.signature]));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    plaintext = Buffer.concat([
      decipher.update(body.subarray(0, body.length - TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  } catch (cause) {
    throw new VaultError('VAULT_OPEN_FAILED', 'the sealed credential does not authenticate', { cause });
  }
  let login: unknown;
  try {
    login = JSON.parse(plaintext);
  } catch (cause) {
    throw new VaultError('VAULT_OPEN_FAILED', 'the sealed credential does not hold a login', { cause });
  }
  const { username, password } = (login ?? {}) as Partial<MinerLogin>;
  if (typeof username !== 'string' || typeof password !== 'string') {
    throw new VaultError('VAULT_OPEN_FAILED', 'the sealed credential does not hold a login');
  }
  return { username, password };
}
