import { hashinsight, sealedCredentialCodec } from '@hashinsight/protocol';
import t from 'tap';
import { generateKeyPair } from './keys.js';
import { type CredentialHeader, openCredential, sealCredential, verifySealedCredential } from './seal.js';
import { encodeBytesField, withoutFields } from './wire.js';

const cloud = generateKeyPair('ed25519');
const keys = [{ keyId: cloud.keyId, publicKey: cloud.publicKey }];
const box = generateKeyPair('x25519');
const otherBox = generateKeyPair('x25519');
const recipient = (pair = box) => ({ keyId: pair.keyId, publicKey: pair.publicKey });
const header: CredentialHeader = {
  credentialId: '01JDX8Z0000000000000000CRD',
  version: 3,
  scope: hashinsight.v1.CredentialScope.CREDENTIAL_SCOPE_MINER_WEB,
  minerIds: ['aabbccddeeff'],
  agentId: 'agent-1',
};
const login = { username: 'root', password: 'canary-Pa55w0rd!' };

t.test('a sealed login opens with the box key and says what it is in the clear', async (t) => {
  const sealed = sealCredential(header, login, recipient(), cloud);
  const message = verifySealedCredential(sealed, recipient(), keys);
  t.match(message, { ...header, recipientKeyId: box.keyId, keyId: cloud.keyId });
  t.same(openCredential(sealed, box, keys), login);
  t.notOk(Buffer.from(sealed).includes(Buffer.from(login.password)), 'the password is not in the bytes');
  const again = sealCredential(header, login, recipient(), cloud);
  t.notSame(Buffer.from(again), Buffer.from(sealed), 'a fresh ephemeral key and nonce each time');
  t.same(openCredential(again, box, keys), login);
});

t.test('wrong recipient, wrong key, tampered and truncated credentials do not open', async (t) => {
  const sealed = sealCredential(header, login, recipient(), cloud);
  t.throws(() => openCredential(sealed, otherBox, keys), { code: 'VAULT_WRONG_RECIPIENT' }, 'another agent');
  // The right key id but another private key (a box key that claims to be ours).
  const impostor = { ...otherBox, keyId: box.keyId, publicKey: box.publicKey };
  t.throws(
    () => openCredential(sealed, impostor, keys),
    { code: 'VAULT_OPEN_FAILED' },
    'another private key',
  );
  t.throws(() => openCredential(sealed, box, []), { code: 'VAULT_UNKNOWN_KEY' }, 'an unknown signer');
  const forged = generateKeyPair('ed25519');
  t.throws(
    () =>
      openCredential(
        sealCredential(header, login, recipient(), { keyId: cloud.keyId, privateKey: forged.privateKey }),
        box,
        keys,
      ),
    { code: 'VAULT_BAD_SIGNATURE' },
    'sealed by someone holding only the public box key',
  );
  let refused = 0;
  for (let i = 0; i < sealed.length; i++) {
    const tampered = Buffer.from(sealed);
    tampered[i] = (tampered[i] as number) ^ 0x80;
    try {
      openCredential(tampered, box, keys);
    } catch {
      refused++;
    }
  }
  t.equal(refused, sealed.length, 'every bit flip is refused');
  for (const cut of [1, 17, 40]) {
    t.throws(
      () => openCredential(sealed.subarray(0, sealed.length - cut), box, keys),
      Error,
      `${cut} bytes cut`,
    );
  }
});

t.test('the ciphertext cannot be moved to another header, even one re-signed by the cloud', async (t) => {
  // A cloud bug or a rogue operator re-signing: the AEAD still binds the id, version, miners and agent.
  const a = sealCredential(header, login, recipient(), cloud);
  const b = sealCredential(
    { ...header, minerIds: ['112233445566'], version: 4 },
    { ...login, password: 'other' },
    recipient(),
    cloud,
  );
  const decodedB = sealedCredentialCodec.decode(b);
  const swapped = Buffer.concat([
    withoutFields(a, [8, 10, 11]),
    encodeBytesField(8, decodedB.ciphertext),
    encodeBytesField(10, Buffer.from(cloud.keyId)),
  ]);
  const { appendSignature } = await import('./sign.js');
  const resigned = appendSignature(swapped, 11, cloud);
  t.throws(() => openCredential(resigned, box, keys), { code: 'VAULT_OPEN_FAILED' });
});

t.test('a box key of small order is refused when sealing', async (t) => {
  const weak = { keyId: 'weak', publicKey: Buffer.alloc(32).toString('base64') };
  t.throws(() => sealCredential(header, login, weak, cloud), {
    code: 'VAULT_OPEN_FAILED',
    message: /all-zero/,
  });
});
