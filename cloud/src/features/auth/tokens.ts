import { createHash, randomBytes } from 'node:crypto';

// Refresh tokens and API keys are 256-bit random secrets with a recognisable prefix (so a leaked one is easy
// to grep for and to tell apart). Only their SHA-256 is stored: the secret has full entropy, so a fast hash is
// enough, and it lets a lookup go straight to the row by an indexed column.

export const REFRESH_TOKEN_PREFIX = 'hir_';
export const API_KEY_PREFIX = 'hik_';

export function newSecret(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

export function secretDigest(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
