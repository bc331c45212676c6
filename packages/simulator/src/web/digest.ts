import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Credentials } from '../machine.js';

/** How a request's credentials were judged: none sent, wrong, right but on an expired nonce, or let through. */
export type Verdict = 'missing' | 'refused' | 'stale' | 'ok';

/** How long a nonce stays good; an older one is answered with `stale=true` (RFC 7616 §3.3). */
const NONCE_TTL_MS = 5 * 60_000;
/** Longest Authorization header read; anything longer is refused without parsing. */
const MAX_HEADER = 4096;

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

/**
 * HTTP Digest authentication as a stock Antminer's lighttpd does it (RFC 7616, MD5, `qop="auth"`). Nonces are
 * stateless: the issue time and an HMAC of it under a per-server secret, so thousands of miners keep no nonce
 * tables and a forged or altered nonce is refused, while an expired genuine one is called stale.
 */
export class DigestGuard {
  readonly #secret = randomBytes(16);

  constructor(
    readonly realm: string,
    private readonly now: () => number,
  ) {}

  /** The `WWW-Authenticate` value of a 401. */
  challenge(stale = false): string {
    const issued = String(this.now());
    const nonce = Buffer.from(`${issued}:${this.#sign(issued)}`).toString('base64');
    return `Digest realm="${this.realm}", nonce="${nonce}", qop="auth", algorithm=MD5${stale ? ', stale=true' : ''}`;
  }

  /** Checks the Authorization header of a request against `login`; `login` undefined refuses everyone. */
  verify(method: string, url: string, header: string | undefined, login: Credentials | undefined): Verdict {
    if (header === undefined || !/^Digest\s/i.test(header)) return 'missing';
    if (header.length > MAX_HEADER || login === undefined) return 'refused';
    const fields = parseFields(header.slice(7));
    const nonce = fields.get('nonce') ?? '';
    const freshness = this.#freshness(nonce);
    if (freshness === 'forged') return 'refused';
    if (
      fields.get('realm') !== this.realm ||
      fields.get('uri') !== url ||
      fields.get('qop') !== 'auth' ||
      !/^[0-9a-f]{8}$/i.test(fields.get('nc') ?? '') ||
      fields.get('username') !== login.username
    ) {
      return 'refused';
    }
    const ha1 = md5(`${login.username}:${this.realm}:${login.password}`);
    const ha2 = md5(`${method}:${url}`);
    const expected = md5(`${ha1}:${nonce}:${fields.get('nc')}:${fields.get('cnonce') ?? ''}:auth:${ha2}`);
    const given = Buffer.from((fields.get('response') ?? '').toLowerCase());
    if (given.length !== expected.length || !timingSafeEqual(given, Buffer.from(expected))) return 'refused';
    return freshness === 'expired' ? 'stale' : 'ok';
  }

  #sign(issued: string): string {
    return createHmac('sha256', this.#secret).update(issued).digest('hex').slice(0, 32);
  }

  #freshness(nonce: string): 'fresh' | 'expired' | 'forged' {
    const [issued = '', signature = ''] = Buffer.from(nonce, 'base64').toString('latin1').split(':');
    if (!/^\d{1,16}$/.test(issued) || signature !== this.#sign(issued)) return 'forged';
    return this.now() - Number(issued) > NONCE_TTL_MS ? 'expired' : 'fresh';
  }
}

/** `name=value, name="quoted \" value"` pairs of a Digest header; one pass, later duplicates ignored. */
function parseFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const [, name = '', quoted, bare] of text.matchAll(
    /([A-Za-z][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g,
  )) {
    const key = name.toLowerCase();
    if (!fields.has(key)) fields.set(key, (quoted ?? bare ?? '').replace(/\\(.)/g, '$1'));
  }
  return fields;
}
