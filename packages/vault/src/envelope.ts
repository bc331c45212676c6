import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { VaultError } from './errors.js';

// Envelope encryption at rest (issue #6): AES-256-GCM with a random 12-byte IV and a full 16-byte tag, always,
// and associated data that names exactly what the plaintext is (tenant, scope, credential, version), so a
// ciphertext copied onto another row, tenant or version fails to open instead of decrypting as the wrong thing.
// A blob is one self-describing byte string: format byte, IV, ciphertext, tag.

const FORMAT = 1;
export const IV_BYTES = 12;
export const TAG_BYTES = 16;
export const KEY_BYTES = 32;

/** The parts of an AES-256-GCM encryption, as stored. */
export interface GcmParts {
  iv: Uint8Array;
  ciphertext: Uint8Array;
  tag: Uint8Array;
}

function checkKey(key: Uint8Array): void {
  if (key.length !== KEY_BYTES) throw new VaultError('VAULT_MALFORMED', 'an AES-256 key has 32 bytes');
}

/** Encrypts with a fresh random IV; `aad` is authenticated, not stored. */
export function gcmEncrypt(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): GcmParts {
  checkKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, ciphertext, tag: cipher.getAuthTag() };
}

/**
 * Decrypts and authenticates. Refuses any IV but 12 bytes and any tag but 16 bytes before decrypting: Node
 * would otherwise accept a 4-byte tag, which an attacker forges in 2^32 tries.
 */
export function gcmDecrypt(key: Uint8Array, parts: GcmParts, aad: Uint8Array): Buffer {
  checkKey(key);
  if (parts.iv.length !== IV_BYTES) throw new VaultError('VAULT_OPEN_FAILED', 'the IV must have 12 bytes');
  if (parts.tag.length !== TAG_BYTES) throw new VaultError('VAULT_OPEN_FAILED', 'the tag must have 16 bytes');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, parts.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(parts.tag);
    return Buffer.concat([decipher.update(parts.ciphertext), decipher.final()]);
  } catch (cause) {
    throw new VaultError('VAULT_OPEN_FAILED', 'the ciphertext does not authenticate', { cause });
  }
}

/** One blob: format byte || IV || ciphertext || tag. */
export function encodeBlob(parts: GcmParts): Buffer {
  return Buffer.concat([Buffer.of(FORMAT), parts.iv, parts.ciphertext, parts.tag]);
}

export function decodeBlob(blob: Uint8Array): GcmParts {
  if (blob.length < 1 + IV_BYTES + TAG_BYTES || blob[0] !== FORMAT) {
    throw new VaultError('VAULT_MALFORMED', 'not a vault ciphertext');
  }
  return {
    iv: blob.subarray(1, 1 + IV_BYTES),
    ciphertext: blob.subarray(1 + IV_BYTES, blob.length - TAG_BYTES),
    tag: blob.subarray(blob.length - TAG_BYTES),
  };
}

/** gcmEncrypt into one blob. */
export function sealBlob(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Buffer {
  return encodeBlob(gcmEncrypt(key, plaintext, aad));
}

/** gcmDecrypt of one blob. */
export function openBlob(key: Uint8Array, blob: Uint8Array, aad: Uint8Array): Buffer {
  return gcmDecrypt(key, decodeBlob(blob), aad);
}

/**
 * Associated data from its parts: "v1|a|b|…", each part percent-encoded so that no two different lists give the
 * same bytes (a tenant id holding "|" cannot impersonate another split).
 */
export function associatedData(...parts: readonly (string | number)[]): Buffer {
  return Buffer.from(['v1', ...parts.map((part) => encodeURIComponent(String(part)))].join('|'), 'utf8');
}

/** The associated data of a stored credential version: "v1|tenant|scope|credentialId|version". */
export function credentialAad(
  tenantId: string,
  scope: string,
  credentialId: string,
  version: number,
): Buffer {
  return associatedData(tenantId, scope, credentialId, version);
}
