import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

// Enrollment tokens and agent MQTT passwords are 256-bit random values generated here, so a single SHA-256 is
// a sufficient stored form (nothing to guess, unlike a human password) and keeps the broker's check of every
// connection cheap: a memory-hard hash per CONNECT would hand anyone who can reach the port a CPU and memory lever.

const SECRET_BYTES = 32;

/** A fresh enrollment token; the prefix makes a leaked one recognisable (secret scanners, logs). */
export function generateEnrollmentToken(): string {
  return `hie_${randomBytes(SECRET_BYTES).toString('base64url')}`;
}

/** A fresh MQTT password for an agent. */
export function generateAgentPassword(): string {
  return randomBytes(SECRET_BYTES).toString('base64url');
}

/** The stored form of a token or password: `sha256:` and the hex digest. */
export function hashSecret(secret: string): string {
  return `sha256:${createHash('sha256').update(secret, 'utf8').digest('hex')}`;
}

/** Constant-time comparison of `secret` against a stored hashSecret value; false for anything unreadable. */
export function secretMatches(secret: string, stored: string | null): boolean {
  if (stored === null || !stored.startsWith('sha256:')) return false;
  const expected = Buffer.from(stored.slice('sha256:'.length), 'hex');
  const actual = createHash('sha256').update(secret, 'utf8').digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
