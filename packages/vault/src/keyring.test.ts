import { randomBytes } from 'node:crypto';
import t from 'tap';
import { deriveKey, LocalKeyring, parseKeyring } from './keyring.js';

const b64 = () => randomBytes(32).toString('base64');

t.test('a keyring wraps with its newest version and unwraps any version it holds', async (t) => {
  const k1 = b64();
  const k2 = b64();
  const old = parseKeyring(k1);
  t.equal(old.currentVersion, 1, 'a bare key is version 1');
  const wrappedOld = await old.wrap(Buffer.from('data key'), 'dek|t|data|1');
  const ring = parseKeyring(`1:${k1}, 2:${k2}`);
  t.same(ring.versions, [1, 2]);
  t.equal(ring.currentVersion, 2);
  t.equal(
    (await ring.unwrap(wrappedOld, 'dek|t|data|1')).toString(),
    'data key',
    'old version still unwraps',
  );
  const wrapped = await ring.wrap(Buffer.from('data key'), 'dek|t|data|1');
  t.equal(wrapped.version, 2);
  await t.rejects(ring.unwrap(wrapped, 'dek|u|data|1'), { code: 'VAULT_OPEN_FAILED' }, 'context is bound');
  await t.rejects(
    ring.unwrap({ ...wrapped, version: 1 }, 'dek|t|data|1'),
    { code: 'VAULT_OPEN_FAILED' },
    'a version label swapped onto another wrap fails',
  );
  const retired = parseKeyring(`2:${k2}`);
  await t.rejects(
    retired.unwrap(wrappedOld, 'dek|t|data|1'),
    { code: 'VAULT_KEY_UNAVAILABLE' },
    'a retired version',
  );
});

t.test('bad keyrings are refused without quoting the key', async (t) => {
  const key = b64();
  for (const text of [
    '',
    ' , ',
    'not-base64!',
    `1:${randomBytes(16).toString('base64')}`,
    `0:${key}`,
    `1:${key},1:${b64()}`,
    `${key},${b64()}`,
  ]) {
    let message = '';
    t.throws(
      () => {
        try {
          parseKeyring(text);
        } catch (error) {
          message = (error as Error).message;
          throw error;
        }
      },
      { code: 'VAULT_MALFORMED' },
    );
    if (text.length > 8) t.notMatch(message, text.slice(2, 20), 'the message does not quote the key');
  }
  t.throws(() => new LocalKeyring(new Map()), { code: 'VAULT_MALFORMED' });
});

t.test('derived keys differ per purpose', async (t) => {
  const secret = randomBytes(32);
  t.not(deriveKey(secret, 'a').toString('hex'), deriveKey(secret, 'b').toString('hex'));
  t.equal(deriveKey(secret, 'a').length, 32);
});
