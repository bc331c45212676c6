import { randomBytes } from 'node:crypto';
import t from 'tap';
import {
  associatedData,
  credentialAad,
  decodeBlob,
  encodeBlob,
  gcmDecrypt,
  gcmEncrypt,
  openBlob,
  sealBlob,
} from './envelope.js';

const key = randomBytes(32);
const aad = credentialAad('tenant-a', 'miner:agent-1/m1', 'cred-1', 1);

t.test('a blob opens with the same key and associated data only', async (t) => {
  const blob = sealBlob(key, Buffer.from('hunter2'), aad);
  t.equal(openBlob(key, blob, aad).toString(), 'hunter2');
  t.throws(() => openBlob(randomBytes(32), blob, aad), { code: 'VAULT_OPEN_FAILED' }, 'another key');
  for (const [what, other] of [
    ['another tenant', credentialAad('tenant-b', 'miner:agent-1/m1', 'cred-1', 1)],
    ['another miner', credentialAad('tenant-a', 'miner:agent-1/m2', 'cred-1', 1)],
    ['another credential', credentialAad('tenant-a', 'miner:agent-1/m1', 'cred-2', 1)],
    ['another version', credentialAad('tenant-a', 'miner:agent-1/m1', 'cred-1', 2)],
  ] as const) {
    t.throws(() => openBlob(key, blob, other), { code: 'VAULT_OPEN_FAILED' }, what);
  }
});

t.test('associated data parts cannot be re-split', async (t) => {
  t.not(associatedData('a|b', 'c').toString(), associatedData('a', 'b|c').toString());
  t.equal(credentialAad('t', 's', 'c', 3).toString(), 'v1|t|s|c|3');
});

t.test('every flipped bit anywhere in a blob is refused', async (t) => {
  const blob = sealBlob(key, Buffer.from('a password'), aad);
  let refused = 0;
  for (let bit = 8; bit < blob.length * 8; bit++) {
    const copy = Buffer.from(blob);
    copy[bit >> 3] = (copy[bit >> 3] ?? 0) ^ (1 << (bit & 7));
    try {
      openBlob(key, copy, aad);
    } catch {
      refused += 1;
    }
  }
  t.equal(refused, blob.length * 8 - 8, 'all of them (past the format byte)');
  const formatFlipped = Buffer.from(blob);
  formatFlipped[0] = 2;
  t.throws(() => openBlob(key, formatFlipped, aad), { code: 'VAULT_MALFORMED' });
});

t.test('short tags and wrong IV lengths are refused before decrypting', async (t) => {
  const parts = gcmEncrypt(key, Buffer.from('secret'), aad);
  for (const length of [4, 8, 12, 15]) {
    t.throws(
      () => gcmDecrypt(key, { ...parts, tag: parts.tag.subarray(0, length) }, aad),
      { code: 'VAULT_OPEN_FAILED', message: /16 bytes/ },
      `a ${length}-byte tag`,
    );
  }
  for (const length of [0, 8, 11, 13, 16]) {
    t.throws(
      () => gcmDecrypt(key, { ...parts, iv: randomBytes(length) }, aad),
      { code: 'VAULT_OPEN_FAILED', message: /IV/ },
      `a ${length}-byte IV`,
    );
  }
  const blob = encodeBlob(parts);
  t.throws(() => openBlob(key, blob.subarray(0, blob.length - 4), aad), 'a truncated blob');
  t.throws(() => decodeBlob(Buffer.alloc(28)), { code: 'VAULT_MALFORMED' }, 'too short to hold IV and tag');
  t.throws(
    () => sealBlob(randomBytes(16), Buffer.from('x'), aad),
    { code: 'VAULT_MALFORMED' },
    'an AES-128 key',
  );
});

t.test('100,000 encryptions never repeat an IV', async (t) => {
  const seen = new Set<string>();
  const plaintext = Buffer.from('same plaintext every time');
  for (let i = 0; i < 100_000; i++) seen.add(Buffer.from(gcmEncrypt(key, plaintext, aad).iv).toString('hex'));
  t.equal(seen.size, 100_000);
});

t.test('the same plaintext twice gives different blobs', async (t) => {
  t.not(
    sealBlob(key, Buffer.from('pw'), aad).toString('hex'),
    sealBlob(key, Buffer.from('pw'), aad).toString('hex'),
  );
});
