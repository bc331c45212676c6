import { createHash, randomBytes } from 'node:crypto';
import { MinerError } from '../../errors.js';
import type { DigestChallenge } from './challenge.js';

/** Who we are to the miner's web server. Supplied by the caller (stock Antminers ship `root`/`root`). */
export interface WebCredentials {
  username: string;
  password: string;
}

/** What the Authorization header answers: the request line it authorizes. */
export interface DigestTarget {
  method: string;
  uri: string;
}

/**
 * The `Authorization: Digest ...` value answering `challenge` for one request (RFC 7616 §3.4; without qop, the
 * RFC 2069 form). Each challenge is answered once per request, so the nonce count is always 00000001; `cnonce`
 * is random unless a test pins it. Only the hash of the password leaves this function.
 */
export function digestAuthorization(
  challenge: DigestChallenge,
  credentials: WebCredentials,
  target: DigestTarget,
  cnonce = randomBytes(16).toString('hex'),
): string {
  const { realm, nonce, qop, algorithm = 'MD5' } = challenge;
  const hash = (text: string) =>
    createHash(algorithm.startsWith('SHA-256') ? 'sha256' : 'md5')
      .update(text, 'utf8')
      .digest('hex');
  const nc = '00000001';
  let ha1 = hash(`${credentials.username}:${realm}:${credentials.password}`);
  if (algorithm.endsWith('-sess')) ha1 = hash(`${ha1}:${nonce}:${cnonce}`);
  const ha2 = hash(`${target.method}:${target.uri}`);
  const response = qop
    ? hash(`${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`)
    : hash(`${ha1}:${nonce}:${ha2}`);

  const parts = [
    `username=${quote(credentials.username)}`,
    `realm=${quote(realm)}`,
    `nonce=${quote(nonce)}`,
    `uri=${quote(target.uri)}`,
  ];
  if (challenge.algorithm) parts.push(`algorithm=${challenge.algorithm}`);
  parts.push(`response="${response}"`);
  if (qop) parts.push(`qop=${qop}`, `nc=${nc}`, `cnonce=${quote(cnonce)}`);
  if (challenge.opaque !== undefined) parts.push(`opaque=${quote(challenge.opaque)}`);
  const header = `Digest ${parts.join(', ')}`;
  // Control characters cannot go in a header, and non-ASCII would be hashed as UTF-8 but sent as Latin-1: say so
  // as a MinerError rather than let the HTTP client throw or the server refuse a mystery mismatch.
  if (/[^\t\x20-\x7e]/.test(header)) {
    throw new MinerError(
      'MINER_AUTH_FAILED',
      'username or challenge holds characters other than printable ASCII',
    );
  }
  return header;
}

function quote(text: string): string {
  return `"${text.replaceAll(/["\\]/g, (char) => `\\${char}`)}"`;
}
