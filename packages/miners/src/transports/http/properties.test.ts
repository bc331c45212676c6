// Property tests of what the web transport reads from a miner: any WWW-Authenticate header and any response
// give a result or a MinerError, never another exception; quoted challenge parameters survive any content.
import fc from 'fast-check';
import t from 'tap';
import { MinerError } from '../../errors.js';
import { type DigestChallenge, parseDigestChallenge } from './challenge.js';
import { judgeResponse } from './response.js';

const MAX = 64 * 1024;

function typedOnly<T>(decode: () => T, check: (result: T) => boolean): boolean {
  let result: T;
  try {
    result = decode();
  } catch (error) {
    if (error instanceof MinerError) return true;
    throw error;
  }
  return check(result);
}

const wellFormed = (challenge: DigestChallenge) =>
  typeof challenge.realm === 'string' &&
  typeof challenge.nonce === 'string' &&
  typeof challenge.stale === 'boolean' &&
  [undefined, 'auth'].includes(challenge.qop) &&
  [undefined, 'MD5', 'MD5-sess', 'SHA-256', 'SHA-256-sess'].includes(challenge.algorithm);

/** Pieces of real challenges, so random headers often get deep into the parser. */
const HEADER_ALPHABET = fc.constantFrom(
  ...' ,="\\\t'.split(''),
  'Digest',
  'Basic',
  'realm',
  'nonce',
  'qop',
  'auth',
  'auth-int',
  'algorithm',
  'MD5',
  'SHA-256',
  'stale',
  'true',
  'opaque',
  'x',
);

t.test('parseDigestChallenge: any header values give a challenge or a MinerError', async (t) => {
  const header = fc.oneof(
    fc.string({ unit: 'binary', maxLength: MAX }),
    fc.string({ unit: HEADER_ALPHABET, maxLength: 2000 }),
    fc
      .string({ unit: HEADER_ALPHABET, maxLength: 2000 })
      .map((rest) => `Digest realm="r", nonce="n", ${rest}`),
  );
  fc.assert(
    fc.property(fc.array(header, { maxLength: 3 }), (values) =>
      typedOnly(() => parseDigestChallenge(values), wellFormed),
    ),
    { numRuns: 1000 },
  );
  t.pass('held');
});

t.test('parseDigestChallenge: quoted parameters come back exactly, whatever they hold', async (t) => {
  const quote = (text: string) => `"${text.replaceAll(/["\\]/g, (char) => `\\${char}`)}"`;
  const printable = fc.string({
    unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
  });
  fc.assert(
    fc.property(
      printable,
      printable,
      printable,
      fc.boolean(),
      fc.boolean(),
      (realm, nonce, opaque, qop, stale) => {
        const header = [
          `Digest realm=${quote(realm)}`,
          `nonce=${quote(nonce)}`,
          `opaque=${quote(opaque)}`,
          ...(qop ? ['qop="auth"'] : []),
          ...(stale ? ['stale=true'] : []),
        ].join(', ');
        const challenge = parseDigestChallenge([header]);
        return (
          challenge.realm === realm &&
          challenge.nonce === nonce &&
          challenge.opaque === opaque &&
          challenge.qop === (qop ? 'auth' : undefined) &&
          challenge.stale === stale
        );
      },
    ),
    { numRuns: 1000 },
  );
  t.pass('held');
});

t.test('judgeResponse: any status and body give a response or a MinerError', async (t) => {
  const body = fc.oneof(
    fc.uint8Array({ maxLength: MAX }).map((bytes) => Buffer.from(bytes)),
    fc.jsonValue().map((value) => Buffer.from(`\n\n${JSON.stringify(value)}`)),
    fc.string({ unit: fc.constantFrom(...'<title>/ \n{}"'.split('')) }).map((text) => Buffer.from(text)),
  );
  fc.assert(
    fc.property(
      fc.integer({ min: 200, max: 599 }),
      body,
      fc.constantFrom('json', 'text'),
      (status, raw, expect) =>
        typedOnly(
          () => judgeResponse(status, raw, expect),
          (response) => response.status === status && status < 300 && typeof response.text === 'string',
        ),
    ),
    { numRuns: 1000 },
  );
  t.pass('held');
});
