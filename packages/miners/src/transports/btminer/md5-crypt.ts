import { createHash } from 'node:crypto';

/**
 * md5-crypt (`$1$`, Poul-Henning Kamp's FreeBSD scheme, as `openssl passwd -1` and glibc `crypt` compute it).
 * btminer derives its privileged-API keys with it (see token.ts). Written here rather than taken from a package:
 * it is 50 lines over node:crypto's MD5, and the test vectors pin it down.
 */
export function md5Crypt(password: string, salt: string): string {
  return `$1$${saltOf(salt)}$${md5CryptHash(password, salt)}`;
}

/** The 22-character hash alone: the third `$` field of `md5Crypt`, which is what btminer uses. */
export function md5CryptHash(password: string, salt: string): string {
  const key = Buffer.from(password, 'utf8');
  const s = Buffer.from(saltOf(salt), 'utf8');
  const md5 = (...parts: Buffer[]) => {
    const hash = createHash('md5');
    for (const part of parts) hash.update(part);
    return hash.digest();
  };

  const alternate = md5(key, s, key);
  const parts: Buffer[] = [key, Buffer.from('$1$'), s];
  for (let left = key.length; left > 0; left -= 16) parts.push(alternate.subarray(0, Math.min(16, left)));
  // The scheme's quirk: per bit of the length, a NUL byte or the key's first byte.
  for (let bits = key.length; bits > 0; bits >>= 1) {
    parts.push(bits & 1 ? Buffer.alloc(1) : key.subarray(0, 1));
  }
  let digest = md5(...parts);

  // 1000 rounds, to make guessing slow.
  for (let round = 0; round < 1000; round++) {
    const input: Buffer[] = [round & 1 ? key : digest];
    if (round % 3 !== 0) input.push(s);
    if (round % 7 !== 0) input.push(key);
    input.push(round & 1 ? digest : key);
    digest = md5(...input);
  }
  return encode(digest);
}

/** The salt is what follows an optional `$1$`, up to a `$`, at most 8 characters. */
function saltOf(salt: string): string {
  const bare = salt.startsWith('$1$') ? salt.slice(3) : salt;
  const end = bare.indexOf('$');
  return (end === -1 ? bare : bare.slice(0, end)).slice(0, 8);
}

const ALPHABET = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** crypt's base-64: bytes regrouped in a fixed order, 6 bits a character, least significant first. */
function encode(digest: Buffer): string {
  const byte = (index: number) => digest[index] as number;
  const groups: Array<[number, number, number]> = [
    [0, 6, 12],
    [1, 7, 13],
    [2, 8, 14],
    [3, 9, 15],
    [4, 10, 5],
  ];
  let out = '';
  const put = (value: number, characters: number) => {
    for (let i = 0; i < characters; i++, value >>= 6) out += ALPHABET[value & 0x3f];
  };
  for (const [a, b, c] of groups) put((byte(a) << 16) | (byte(b) << 8) | byte(c), 4);
  put(byte(11), 2);
  return out;
}
