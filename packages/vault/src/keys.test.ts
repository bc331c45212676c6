import t from 'tap';
import {
  exportPrivateKey,
  generateKeyPair,
  importPrivateKey,
  importPublicKey,
  keyIdOf,
  rawPublicKey,
} from './keys.js';

t.test('key pairs survive PEM and base64 round trips with the same id', async (t) => {
  for (const kind of ['ed25519', 'x25519'] as const) {
    const pair = generateKeyPair(kind);
    t.equal(Buffer.from(pair.publicKey, 'base64').length, 32, `${kind}: a raw 32-byte public key`);
    t.match(pair.keyId, /^[A-Za-z0-9_-]{16}$/);
    const pem = exportPrivateKey(pair.privateKey);
    t.match(pem, /^-----BEGIN PRIVATE KEY-----/);
    const back = importPrivateKey(kind, pem);
    t.equal(back.publicKey, pair.publicKey);
    t.equal(back.keyId, pair.keyId);
    t.equal(rawPublicKey(importPublicKey(kind, pair.publicKey)), pair.publicKey);
    t.equal(keyIdOf(pair.publicKey), pair.keyId);
  }
  t.not(generateKeyPair('ed25519').keyId, generateKeyPair('ed25519').keyId);
});

t.test('bad keys are refused without quoting them', async (t) => {
  const ed = generateKeyPair('ed25519');
  const pem = exportPrivateKey(ed.privateKey);
  t.throws(() => importPrivateKey('x25519', pem), { code: 'VAULT_MALFORMED', message: /expected a x25519/ });
  t.throws(() => importPrivateKey('ed25519', 'not a key'), { code: 'VAULT_MALFORMED' });
  const truncated = `${pem.slice(0, 60)}\n-----END PRIVATE KEY-----\n`;
  try {
    importPrivateKey('ed25519', truncated);
    t.fail('a truncated key was accepted');
  } catch (error) {
    t.equal((error as { code: string }).code, 'VAULT_MALFORMED');
    t.notMatch((error as Error).message, pem.slice(28, 60), 'the message does not quote the key');
  }
  t.throws(() => importPublicKey('ed25519', 'AAAA'), { code: 'VAULT_MALFORMED' });
});
