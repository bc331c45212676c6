import { createPublicKey } from 'node:crypto';

// The agent's public keys arrive as base64 of the raw 32-byte keys. Besides the length, refuse the points an
// attacker would pick to make later signatures or sealed boxes worthless: the all-zero key and the well-known
// small-order encodings (those libsodium blocks), for which a shared secret or signature check is trivial.

const KEY_BYTES = 32;

const SMALL_ORDER_X25519 = new Set([
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
  '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
]);

const SMALL_ORDER_ED25519 = new Set([
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000080',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
]);

// Ed25519 point decoding (RFC 8032 5.1.3): OpenSSL imports any 32 bytes as a public key without checking them,
// so check here that y is canonical and that x^2 = (y^2 - 1) / (d y^2 + 1) has a root.
const P = 2n ** 255n - 19n;
const mod = (a: bigint) => ((a % P) + P) % P;
function power(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let b = mod(base);
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
  }
  return result;
}
const D = mod(-121665n * power(121666n, P - 2n));

function isEd25519Point(raw: Buffer): boolean {
  const bytes = Buffer.from(raw);
  const sign = (bytes[31] ?? 0) >> 7;
  bytes[31] = (bytes[31] ?? 0) & 0x7f;
  const y = BigInt(`0x${Buffer.from(bytes).reverse().toString('hex')}`);
  if (y >= P) return false;
  const y2 = (y * y) % P;
  const x2 = mod((y2 - 1n) * power(D * y2 + 1n, P - 2n));
  if (x2 === 0n) return sign === 0;
  return power(x2, (P - 1n) / 2n) === 1n; // Euler's criterion: x2 is a square
}

const BASE64_32_BYTES = /^[A-Za-z0-9+/]{43}=$/;

export type KeyKind = 'ed25519' | 'x25519';

/** Why `encoded` is not an acceptable public key of `kind`, or undefined when it is. */
export function publicKeyProblem(kind: KeyKind, encoded: string): string | undefined {
  if (!BASE64_32_BYTES.test(encoded)) return 'must be the base64 of a 32-byte raw public key';
  const raw = Buffer.from(encoded, 'base64');
  if (raw.length !== KEY_BYTES) return 'must be the base64 of a 32-byte raw public key';
  const blocked = kind === 'ed25519' ? SMALL_ORDER_ED25519 : SMALL_ORDER_X25519;
  if (blocked.has(raw.toString('hex'))) return 'is a weak (small-order) key';
  if (kind === 'ed25519' && !isEd25519Point(raw)) return 'is not a point on the Ed25519 curve';
  try {
    createPublicKey({
      key: { kty: 'OKP', crv: kind === 'ed25519' ? 'Ed25519' : 'X25519', x: raw.toString('base64url') },
      format: 'jwk',
    });
  } catch {
    return 'is not a valid key';
  }
  return undefined;
}
