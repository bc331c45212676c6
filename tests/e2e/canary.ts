// Canary secrets and the search for them. A canary is a password nobody else could produce (HI-CANARY-<uuid>);
// after a run, every captured byte is searched for it in each encoding a leak could take: plain, base64 and
// base64url (at all three byte alignments, so a canary inside a longer encoded blob is found too), hex (both cases)
// and URL-encoded (encodeURIComponent, and every byte percent-encoded in both cases).
import { randomUUID } from 'node:crypto';

export const CANARY_PREFIX = 'HI-CANARY-';

export const newCanary = (): string => `${CANARY_PREFIX}${randomUUID()}`;

export type Encoding = 'plain' | 'base64' | 'base64url' | 'hex' | 'HEX' | 'url' | 'percent' | 'PERCENT';

/**
 * The base64 characters that depend only on `bytes` when they sit `offset` (0-2) bytes after a 3-byte boundary
 * of a longer encoded message: the neighbours' bits spill into the first and last characters, so those are cut.
 */
function base64Core(bytes: Buffer, offset: number): string {
  const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
  const first = Math.ceil((8 * offset) / 6);
  const last = Math.floor((8 * (offset + bytes.length)) / 6); // exclusive
  return encoded.slice(first, last);
}

const percentAll = (bytes: Buffer) => [...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

/** Every form `secret` is searched in. */
export function encodings(secret: string): Array<{ encoding: Encoding; needle: string }> {
  const bytes = Buffer.from(secret, 'utf8');
  const forms: Array<{ encoding: Encoding; needle: string }> = [{ encoding: 'plain', needle: secret }];
  for (const offset of [0, 1, 2]) {
    const core = base64Core(bytes, offset);
    forms.push({ encoding: 'base64', needle: core });
    forms.push({ encoding: 'base64url', needle: core.replaceAll('+', '-').replaceAll('/', '_') });
  }
  forms.push({ encoding: 'hex', needle: bytes.toString('hex') });
  forms.push({ encoding: 'HEX', needle: bytes.toString('hex').toUpperCase() });
  forms.push({ encoding: 'url', needle: encodeURIComponent(secret) });
  forms.push({ encoding: 'percent', needle: percentAll(bytes) });
  forms.push({ encoding: 'PERCENT', needle: percentAll(bytes).toUpperCase() });
  return forms;
}

export interface Hit {
  source: string;
  secret: string;
  encoding: Encoding;
  /** Up to 60 characters around the hit. */
  context: string;
}

/**
 * Searches text and bytes for secrets. Canaries are found through their shared prefix (a dozen needles whatever
 * their number, then the full canary named); other secrets (generated passwords read back from the miners) by
 * their own forms.
 */
export class SecretSearch {
  private readonly needles: Array<{ encoding: Encoding; needle: string; secret: string }>;
  readonly scanned = { sources: 0, bytes: 0 };

  constructor(secrets: readonly string[]) {
    const all = secrets.some((s) => s.startsWith(CANARY_PREFIX))
      ? encodings(CANARY_PREFIX).map((form) => ({ ...form, secret: CANARY_PREFIX }))
      : [];
    for (const secret of secrets.filter((s) => !s.startsWith(CANARY_PREFIX))) {
      for (const form of encodings(secret)) all.push({ ...form, secret });
    }
    // Each needle once: a canary's URL form is its plain form, base64url often equals base64.
    const seen = new Set<string>();
    this.needles = all.filter((n) => !seen.has(n.needle) && seen.add(n.needle));
  }

  /** Hits of any secret in `content` (bytes are read as latin1: every needle is ASCII). */
  scan(source: string, content: string | Uint8Array): Hit[] {
    const text = typeof content === 'string' ? content : Buffer.from(content).toString('latin1');
    this.scanned.sources += 1;
    this.scanned.bytes += text.length;
    const hits: Hit[] = [];
    for (const { encoding, needle, secret } of this.needles) {
      const at = text.indexOf(needle);
      if (at < 0) continue;
      hits.push({ source, secret, encoding, context: text.slice(Math.max(0, at - 20), at + 40) });
    }
    return hits;
  }
}
