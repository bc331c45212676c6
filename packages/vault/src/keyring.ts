import { hkdfSync } from 'node:crypto';
import { associatedData, KEY_BYTES, openBlob, sealBlob } from './envelope.js';
import { VaultError } from './errors.js';

// The master key (key-encryption key, KEK) behind a small interface, so a cloud KMS (AWS KMS, GCP KMS, Vault
// transit) can stand in for the local keyring: it wraps and unwraps data keys, naming the version it used.

/** A wrapped secret and the master-key version that wrapped it. */
export interface Wrapped {
  version: number;
  /** Opaque to the caller. */
  blob: Buffer;
}

export interface KeyWrapper {
  /** The version new wraps use (the highest). */
  readonly currentVersion: number;
  /** Every version this wrapper can still unwrap, ascending. */
  readonly versions: readonly number[];
  /** Wraps `secret`; `context` is bound as associated data and must be given again to unwrap. */
  wrap(secret: Uint8Array, context: string): Promise<Wrapped>;
  /** VAULT_KEY_UNAVAILABLE when `version` is not held (retired from the ring); VAULT_OPEN_FAILED when tampered. */
  unwrap(wrapped: Wrapped, context: string): Promise<Buffer>;
}

/** Master keys held in process memory, by version ("1:<base64>,2:<base64>" or one bare base64 key = version 1). */
export class LocalKeyring implements KeyWrapper {
  readonly currentVersion: number;
  readonly versions: readonly number[];
  private readonly keys: ReadonlyMap<number, Buffer>;

  constructor(keys: ReadonlyMap<number, Uint8Array>) {
    if (keys.size === 0) throw new VaultError('VAULT_MALFORMED', 'a keyring needs at least one key');
    for (const [version, key] of keys) {
      if (!Number.isInteger(version) || version < 1) {
        throw new VaultError('VAULT_MALFORMED', 'key versions are whole numbers from 1');
      }
      if (key.length !== KEY_BYTES) {
        throw new VaultError('VAULT_MALFORMED', `master key version ${version} must be 32 bytes`);
      }
    }
    this.keys = new Map([...keys].map(([version, key]) => [version, Buffer.from(key)]));
    this.versions = [...keys.keys()].sort((a, b) => a - b);
    this.currentVersion = this.versions[this.versions.length - 1] ?? 1;
  }

  async wrap(secret: Uint8Array, context: string): Promise<Wrapped> {
    const version = this.currentVersion;
    return { version, blob: sealBlob(this.key(version), secret, associatedData('wrap', version, context)) };
  }

  async unwrap(wrapped: Wrapped, context: string): Promise<Buffer> {
    return openBlob(
      this.key(wrapped.version),
      wrapped.blob,
      associatedData('wrap', wrapped.version, context),
    );
  }

  private key(version: number): Buffer {
    const key = this.keys.get(version);
    if (key === undefined) {
      throw new VaultError('VAULT_KEY_UNAVAILABLE', `master key version ${version} is not in the keyring`);
    }
    return key;
  }
}

/**
 * Parses a keyring setting: one base64 key (version 1) or "1:<b64>,2:<b64>". Errors never quote the text (it is
 * a secret); they say which entry is wrong.
 */
export function parseKeyring(text: string): LocalKeyring {
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0) throw new VaultError('VAULT_MALFORMED', 'the master key is empty');
  const keys = new Map<number, Buffer>();
  entries.forEach((entry, index) => {
    const match = /^(?:(\d{1,6}):)?([A-Za-z0-9+/_-]+={0,2})$/.exec(entry);
    const version = match?.[1] === undefined ? (entries.length === 1 ? 1 : Number.NaN) : Number(match[1]);
    const key = Buffer.from(match?.[2] ?? '', 'base64');
    if (match === null || !Number.isInteger(version) || version < 1 || key.length !== KEY_BYTES) {
      throw new VaultError(
        'VAULT_MALFORMED',
        `master key entry ${index + 1} must be <version>:<base64 of 32 bytes> (a single key may omit the version)`,
      );
    }
    if (keys.has(version))
      throw new VaultError('VAULT_MALFORMED', `master key version ${version} is given twice`);
    keys.set(version, key);
  });
  return new LocalKeyring(keys);
}

/** A 32-byte key derived from `secret` for one purpose (HKDF-SHA256); different `info`, unrelated keys. */
export function deriveKey(secret: Uint8Array, info: string, salt = ''): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, salt, info, KEY_BYTES));
}
