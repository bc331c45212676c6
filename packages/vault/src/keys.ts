import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { VaultError } from './errors.js';

// Keys travel and are stored in two forms: public keys as base64 of the raw 32 bytes (what enrollment and the
// wire carry), private keys as PKCS#8 PEM (what OpenSSL and every tool reads). A key id names a public key
// without a registry: the base64url of the first 12 bytes of its SHA-256.

export type KeyKind = 'ed25519' | 'x25519';

export interface KeyPair {
  kind: KeyKind;
  /** Raw 32-byte public key, base64. */
  publicKey: string;
  /** keyIdOf(publicKey). */
  keyId: string;
  privateKey: KeyObject;
}

const RAW_KEY_BYTES = 32;

export function generateKeyPair(kind: KeyKind): KeyPair {
  const pair = generateKeyPairSync(kind as 'ed25519');
  const publicKey = rawPublicKey(pair.publicKey);
  return { kind, publicKey, keyId: keyIdOf(publicKey), privateKey: pair.privateKey };
}

/** Base64 of the raw 32 bytes of a public (or a private key's public) key. */
export function rawPublicKey(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const { x } = publicKey.export({ format: 'jwk' });
  if (typeof x !== 'string') throw new VaultError('VAULT_MALFORMED', 'not an Ed25519 or X25519 key');
  return Buffer.from(x, 'base64url').toString('base64');
}

/** The id of a public key given as base64 of its raw bytes. */
export function keyIdOf(publicKey: string): string {
  return createHash('sha256')
    .update(Buffer.from(publicKey, 'base64'))
    .digest()
    .subarray(0, 12)
    .toString('base64url');
}

/** A public key from base64 of its raw 32 bytes; VAULT_MALFORMED for anything else. */
export function importPublicKey(kind: KeyKind, publicKey: string): KeyObject {
  const raw = Buffer.from(publicKey, 'base64');
  if (raw.length !== RAW_KEY_BYTES || raw.toString('base64') !== publicKey) {
    throw new VaultError('VAULT_MALFORMED', `a ${kind} public key is the base64 of 32 raw bytes`);
  }
  try {
    return createPublicKey({
      key: { kty: 'OKP', crv: kind === 'ed25519' ? 'Ed25519' : 'X25519', x: raw.toString('base64url') },
      format: 'jwk',
    });
  } catch (cause) {
    throw new VaultError('VAULT_MALFORMED', `not a valid ${kind} public key`, { cause });
  }
}

/** PKCS#8 PEM of a private key (a secret: store it 0600, never log it). */
export function exportPrivateKey(key: KeyObject): string {
  return key.export({ format: 'pem', type: 'pkcs8' }).toString();
}

/** A private key of `kind` from PKCS#8 PEM; VAULT_MALFORMED when it is not one (the message never quotes it). */
export function importPrivateKey(kind: KeyKind, pem: string): KeyPair {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem, format: 'pem' });
  } catch (cause) {
    throw new VaultError('VAULT_MALFORMED', `not a PEM private key`, { cause });
  }
  if (privateKey.asymmetricKeyType !== kind) {
    throw new VaultError(
      'VAULT_MALFORMED',
      `expected a ${kind} private key, got ${privateKey.asymmetricKeyType}`,
    );
  }
  const publicKey = rawPublicKey(privateKey);
  return { kind, publicKey, keyId: keyIdOf(publicKey), privateKey };
}
