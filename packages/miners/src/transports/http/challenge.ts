import { MinerError } from '../../errors.js';

export type DigestAlgorithm = 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess';

/** A Digest challenge we can answer (RFC 7616 §3.3, and the RFC 2069/2617 form without qop). */
export interface DigestChallenge {
  realm: string;
  nonce: string;
  opaque?: string;
  /** As the server named it; absent means MD5 and is echoed as absent. */
  algorithm?: DigestAlgorithm;
  /** `auth` when offered; absent for the old form, which hashes without nc and cnonce. */
  qop?: 'auth';
  /** The server knew our credentials but our nonce had expired: answer the new nonce, once. */
  stale: boolean;
}

interface Challenge {
  scheme: string;
  params: Map<string, string>;
}

const ALGORITHMS = new Map<string, DigestAlgorithm>(
  (['MD5', 'MD5-sess', 'SHA-256', 'SHA-256-sess'] as const).map((name) => [name.toLowerCase(), name]),
);
const TOKEN = /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y;
const TOKEN_START = /[!#$%&'*+.^_`|~0-9A-Za-z-]/;
/** Unquoted parameter values: tokens, but lenient about token68 characters (`/`, `=`) some servers send. */
const BARE_VALUE = /[^\s,"]+/y;
const SPACE = /[ \t]*/y;

/**
 * The Digest challenge to answer among the `WWW-Authenticate` header values of a 401: the first Digest challenge
 * with an algorithm and qop we support (RFC 7616 §3.7: servers list them by preference). Throws MINER_BAD_REPLY
 * when a header is malformed, MINER_AUTH_FAILED when there is no Digest challenge we can answer (Basic only:
 * we never send a password in clear; `auth-int` only; an unknown algorithm).
 */
export function parseDigestChallenge(headerValues: readonly string[]): DigestChallenge {
  const digests = headerValues.flatMap(parseChallenges).filter(({ scheme }) => scheme === 'digest');
  if (digests.length === 0) throw new MinerError('MINER_AUTH_FAILED', '401 without a Digest challenge');
  for (const { params } of digests) {
    const challenge = supported(params);
    if (challenge) return challenge;
  }
  const [{ params }] = digests as [Challenge];
  const offered = (name: string, absent: string) => (params.get(name) ?? absent).slice(0, 40);
  throw new MinerError(
    'MINER_AUTH_FAILED',
    `no supported Digest challenge (algorithm ${offered('algorithm', 'MD5')}, qop ${offered('qop', 'none')})`,
  );
}

function supported(params: Map<string, string>): DigestChallenge | undefined {
  const realm = params.get('realm');
  const nonce = params.get('nonce');
  if (realm === undefined || nonce === undefined) {
    throw new MinerError('MINER_BAD_REPLY', 'Digest challenge without realm or nonce');
  }
  const named = params.get('algorithm');
  const algorithm = named === undefined ? undefined : ALGORITHMS.get(named.toLowerCase());
  if (named !== undefined && algorithm === undefined) return undefined;
  const qops = params
    .get('qop')
    ?.split(',')
    .map((qop) => qop.trim().toLowerCase());
  if (qops !== undefined && !qops.includes('auth')) return undefined;
  const challenge: DigestChallenge = { realm, nonce, stale: params.get('stale')?.toLowerCase() === 'true' };
  const opaque = params.get('opaque');
  if (opaque !== undefined) challenge.opaque = opaque;
  if (algorithm !== undefined) challenge.algorithm = algorithm;
  if (qops !== undefined) challenge.qop = 'auth';
  return challenge;
}

/**
 * One header value as challenges (RFC 9110 §11.6.1): `scheme param=value, param="quoted", Other ...`. A comma
 * separates both parameters and challenges; a token not followed by `=` starts the next challenge. One pass, so a
 * hostile header costs linear time; any malformation is MINER_BAD_REPLY.
 */
function parseChallenges(value: string): Challenge[] {
  const challenges: Challenge[] = [];
  let at = 0;
  const skip = (pattern: RegExp) => {
    pattern.lastIndex = at;
    const match = pattern.exec(value);
    if (match) at += match[0].length;
    return match?.[0];
  };
  const separators = () => {
    while (at < value.length && /[\s,]/.test(value.charAt(at))) at++;
  };
  const malformed = () =>
    new MinerError('MINER_BAD_REPLY', `malformed WWW-Authenticate header at character ${at}`);

  separators();
  while (at < value.length) {
    const scheme = skip(TOKEN);
    if (scheme === undefined) throw malformed();
    const params = new Map<string, string>();
    challenges.push({ scheme: scheme.toLowerCase(), params });
    for (;;) {
      separators();
      const start = at;
      const name = skip(TOKEN);
      if (name === undefined) break;
      skip(SPACE);
      if (value.charAt(at) !== '=') {
        at = start; // the next challenge's scheme
        break;
      }
      at++;
      skip(SPACE);
      const parameter = value.charAt(at) === '"' ? quoted() : (skip(BARE_VALUE) ?? '');
      params.set(name.toLowerCase(), parameter);
    }
    if (at < value.length && !TOKEN_START.test(value.charAt(at))) throw malformed();
  }
  return challenges;

  function quoted(): string {
    let text = '';
    for (at++; at < value.length; at++) {
      const char = value.charAt(at);
      if (char === '"') {
        at++;
        return text;
      }
      if (char === '\\') at++;
      text += value.charAt(at);
    }
    throw malformed();
  }
}
