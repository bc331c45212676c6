import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { isValidAgentId } from '@hashinsight/protocol';
import {
  exportPrivateKey,
  importPrivateKey,
  importPublicKey,
  type KeyPair,
  keyIdOf,
  type VerifyKey,
} from '@hashinsight/vault';
import { IdentityError } from './errors.js';
import { privateDir, writePrivateFile } from './files.js';

/** Where enrollment leaves the identity inside the data dir (the config reads the same file). */
export const IDENTITY_FILE = 'identity.json';
/** The private keys, one PEM file each, in a 0700 folder beside it. */
export const KEYS_DIR = 'keys';
const SIGNING_KEY_FILE = 'signing.pem';
const BOX_KEY_FILE = 'box.pem';
const MAX_FILE_BYTES = 64 * 1024;

/** What enrollment gave this agent. identity.json holds it, mode 0600: the broker password is in it. */
export interface IdentityRecord {
  agentId: string;
  siteId: string;
  /** The cloud enrolled with, e.g. https://cloud.example.com. */
  cloudUrl: string;
  mqtt: { url: string; username: string; password: string };
  /** Keys the cloud signs commands and credentials with. */
  commandKeys: VerifyKey[];
  /** The public halves of the agent's own keys as registered (ids let a credential name its recipient). */
  publicKeys: { signing: { keyId: string; publicKey: string }; box: { keyId: string; publicKey: string } };
  enrolledAt: string;
}

/** The identity with the agent's private keys loaded. Never log it. */
export interface Identity extends IdentityRecord {
  signingKey: KeyPair;
  boxKey: KeyPair;
}

export const identityPath = (dataDir: string) => join(dataDir, IDENTITY_FILE);

export function hasIdentity(dataDir: string): boolean {
  return existsSync(identityPath(dataDir));
}

/** Reads a small file; refuses one that is too large to be ours. */
function readSmallFile(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (cause) {
    const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT';
    throw new IdentityError(
      missing ? 'IDENTITY_MISSING' : 'IDENTITY_INVALID',
      missing
        ? `${path} does not exist: enroll first (hashinsight-agent enroll --cloud <url> --token <token>)`
        : `${path} cannot be read (${(cause as NodeJS.ErrnoException).code})`,
      { cause },
    );
  }
  try {
    const size = fstatSync(fd).size;
    if (size > MAX_FILE_BYTES)
      throw new IdentityError('IDENTITY_INVALID', `${path} is larger than ${MAX_FILE_BYTES} bytes`);
    const buffer = Buffer.alloc(size);
    readSync(fd, buffer, 0, size, 0);
    return buffer.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

const isText = (value: unknown, max = 2048): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= max;

/** Why `record` is not a usable identity, or undefined. Shared by enrollment (the cloud's answer) and loading. */
export function identityProblem(record: IdentityRecord): string | undefined {
  if (!isText(record.agentId) || !isValidAgentId(record.agentId)) return 'agentId is not a valid agent id';
  if (!isText(record.siteId, 64)) return 'siteId is missing';
  const mqtt = record.mqtt as Partial<IdentityRecord['mqtt']> | undefined;
  if (!isText(mqtt?.url) || !/^mqtts?:\/\/[^/@\s]+\/?$/.test(mqtt.url))
    return 'mqtt.url is not an mqtt:// or mqtts:// URL without a login';
  if (mqtt.username !== record.agentId) return 'mqtt.username is not the agent id';
  if (!isText(mqtt.password, 512) || mqtt.password.length < 16)
    return 'mqtt.password is missing or too short';
  if (!Array.isArray(record.commandKeys) || record.commandKeys.length === 0 || record.commandKeys.length > 16)
    return 'commandKeys must list 1 to 16 keys';
  for (const key of record.commandKeys) {
    if (!isText(key?.publicKey, 64) || !isText(key?.keyId, 64))
      return 'a command key lacks its id or public key';
    try {
      importPublicKey('ed25519', key.publicKey);
    } catch {
      return `command key ${JSON.stringify(key.keyId.slice(0, 40))} is not an Ed25519 public key`;
    }
    if (keyIdOf(key.publicKey) !== key.keyId)
      return `command key ${JSON.stringify(key.keyId.slice(0, 40))} has another id`;
  }
  return undefined;
}

/** Writes the private keys, then identity.json (so an identity never names keys that are not on disk). */
export function saveIdentity(
  dataDir: string,
  record: IdentityRecord,
  signingKey: KeyPair,
  boxKey: KeyPair,
): void {
  privateDir(dataDir);
  const keysDir = join(dataDir, KEYS_DIR);
  privateDir(keysDir);
  writePrivateFile(join(keysDir, SIGNING_KEY_FILE), exportPrivateKey(signingKey.privateKey));
  writePrivateFile(join(keysDir, BOX_KEY_FILE), exportPrivateKey(boxKey.privateKey));
  writePrivateFile(identityPath(dataDir), `${JSON.stringify(record, null, 2)}\n`);
}

/** The enrolled identity with its private keys; IdentityError IDENTITY_MISSING before enrollment. */
export function loadIdentity(dataDir: string): Identity {
  const path = identityPath(dataDir);
  let record: IdentityRecord;
  try {
    record = JSON.parse(readSmallFile(path)) as IdentityRecord;
  } catch (error) {
    if (error instanceof IdentityError) throw error;
    throw new IdentityError('IDENTITY_INVALID', `${path} is not JSON`, { cause: error });
  }
  const problem = typeof record === 'object' && record !== null ? identityProblem(record) : 'not an object';
  if (problem !== undefined) throw new IdentityError('IDENTITY_INVALID', `${path}: ${problem}`);
  const load = (kind: 'ed25519' | 'x25519', file: string, expected: string | undefined) => {
    const keyPath = join(dataDir, KEYS_DIR, file);
    let pair: KeyPair;
    try {
      pair = importPrivateKey(kind, readSmallFile(keyPath));
    } catch (error) {
      if (error instanceof IdentityError) throw error;
      throw new IdentityError('IDENTITY_INVALID', `${keyPath} is not a ${kind} private key`, {
        cause: error,
      });
    }
    if (pair.publicKey !== expected) {
      throw new IdentityError('IDENTITY_INVALID', `${keyPath} is not the key enrolled in ${path}`);
    }
    return pair;
  };
  return {
    ...record,
    signingKey: load('ed25519', SIGNING_KEY_FILE, record.publicKeys?.signing?.publicKey),
    boxKey: load('x25519', BOX_KEY_FILE, record.publicKeys?.box?.publicKey),
  };
}
