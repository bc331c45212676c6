import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

// Passwords are stored as "$scrypt$ln=15,r=8,p=1$<salt>$<hash>" (PHC-style, base64url), so the cost can be
// raised later while old hashes still verify with the parameters they were made with.

const COST_LOG2 = 15; // N = 32768: ~32 MiB and ~100 ms per hash, memory-hard against GPU guessing
const BLOCK_SIZE = 8;
const PARALLELISM = 1;
const SALT_BYTES = 16;
const HASH_BYTES = 32;
const FORMAT = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/;

function derive(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // 128 * N * r bytes is needed; leave headroom over Node's 32 MiB default.
    const maxmem = 256 * (options.N ?? 0) * (options.r ?? 0);
    scrypt(password.normalize('NFKC'), salt, keyLength, { ...options, maxmem }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, HASH_BYTES, {
    N: 2 ** COST_LOG2,
    r: BLOCK_SIZE,
    p: PARALLELISM,
  });
  return `$scrypt$ln=${COST_LOG2},r=${BLOCK_SIZE},p=${PARALLELISM}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

/** True when `password` matches `encoded`; false for a wrong password or an unreadable hash. */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const match = FORMAT.exec(encoded);
  if (!match) return false;
  const [, ln, r, p, salt, hash] = match;
  const costLog2 = Number(ln);
  // Bounds keep a corrupted row from asking for gigabytes of memory.
  if (costLog2 < 10 || costLog2 > 20 || Number(r) < 1 || Number(p) < 1) return false;
  const expected = Buffer.from(hash ?? '', 'base64url');
  if (expected.length < 16) return false;
  const actual = await derive(password, Buffer.from(salt ?? '', 'base64url'), expected.length, {
    N: 2 ** costLog2,
    r: Number(r),
    p: Number(p),
  });
  return timingSafeEqual(actual, expected);
}

/** A strong random password for the bootstrap owner (144 bits, URL-safe). */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}
