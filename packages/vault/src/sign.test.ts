import { randomBytes } from 'node:crypto';
import { commandCodec, hashinsight, ProtocolError } from '@hashinsight/protocol';
import t, { type Test } from 'tap';
import { VaultError } from './errors.js';
import { generateKeyPair } from './keys.js';
import { signCommand, type VerifyKey, verifyCommand } from './sign.js';
import { encodeBytesField } from './wire.js';

const cloud = generateKeyPair('ed25519');
const other = generateKeyPair('ed25519');
const keys: VerifyKey[] = [{ keyId: cloud.keyId, publicKey: cloud.publicKey }];

const command = {
  commandId: '01JDX8Z0000000000000000001',
  agentId: 'agent-1',
  nonce: randomBytes(16),
  minerIds: ['aabbccddeeff', '112233445566'],
  issuedAtMs: 1_700_000_000_000,
  expiresAtMs: 1_700_000_060_000,
  reboot: {},
};

function code(t: Test, fn: () => unknown, expected: string, name: string) {
  try {
    fn();
    t.fail(`${name}: accepted`);
  } catch (error) {
    t.equal((error as VaultError | ProtocolError).code, expected, name);
  }
}

t.test('a signed command verifies and decodes to what was signed', async (t) => {
  const bytes = signCommand(command, cloud);
  const verified = verifyCommand(bytes, keys);
  t.equal(verified.commandId, command.commandId);
  t.equal(verified.agentId, 'agent-1');
  t.same(Buffer.from(verified.nonce), command.nonce);
  t.equal(verified.keyId, cloud.keyId);
  t.equal(verified.action, 'reboot');
  t.same(
    Buffer.from(bytes),
    Buffer.from(hashinsight.v1.Command.encode(verified).finish()),
    'the signature is the last field, as a plain encoder would write it',
  );
  const rotated = [{ keyId: other.keyId, publicKey: other.publicKey }, ...keys];
  t.equal(verifyCommand(bytes, rotated).commandId, command.commandId, 'any of several keys (rotation)');
});

t.test('every single-byte change of a signed command is refused', async (t) => {
  const bytes = signCommand(command, cloud);
  let refused = 0;
  for (let i = 0; i < bytes.length; i++) {
    const tampered = Buffer.from(bytes);
    tampered[i] = (tampered[i] as number) ^ 0x01;
    try {
      verifyCommand(tampered, keys);
    } catch (error) {
      if (error instanceof VaultError || error instanceof ProtocolError) refused++;
      else throw error;
    }
  }
  t.equal(refused, bytes.length, `all ${bytes.length} flips refused`);
});

t.test('tampered, truncated, unsigned, foreign-signed and re-targeted commands are refused', async (t) => {
  const bytes = signCommand(command, cloud);
  // Change the target list and keep the signature: the wire bytes differ, so the signature no longer fits.
  const signature = Buffer.from(bytes).subarray(bytes.length - 67);
  const retargeted = Buffer.concat([
    commandCodec.encode({ ...command, agentId: 'agent-2', keyId: cloud.keyId }),
    signature,
  ]);
  code(t, () => verifyCommand(retargeted, keys), 'VAULT_BAD_SIGNATURE', 'copied to another agent');
  const moreMiners = Buffer.concat([
    commandCodec.encode({ ...command, minerIds: [...command.minerIds, 'ffffffffffff'], keyId: cloud.keyId }),
    signature,
  ]);
  code(t, () => verifyCommand(moreMiners, keys), 'VAULT_BAD_SIGNATURE', 'a target added');
  // An extra field the agent does not know is still covered by the signature.
  const extra = Buffer.concat([bytes, encodeBytesField(29, Buffer.from('x'))]);
  code(t, () => verifyCommand(extra, keys), 'VAULT_BAD_SIGNATURE', 'an unknown field appended');
  code(t, () => verifyCommand(bytes.subarray(0, bytes.length - 1), keys), 'PROTOCOL_MALFORMED', 'truncated');
  code(
    t,
    () =>
      verifyCommand(
        Buffer.concat([
          bytes.subarray(0, bytes.length - 67),
          encodeBytesField(31, signature.subarray(3, 50)),
        ]),
        keys,
      ),
    'VAULT_BAD_SIGNATURE',
    'a short signature',
  );
  const unsigned = commandCodec.encode({ ...command, keyId: cloud.keyId });
  code(t, () => verifyCommand(unsigned, keys), 'VAULT_UNSIGNED', 'no signature');
  code(
    t,
    () => verifyCommand(Buffer.concat([bytes, encodeBytesField(31, signature.subarray(3))]), keys),
    'VAULT_MALFORMED',
    'two signatures',
  );
  code(
    t,
    () => verifyCommand(signCommand(command, other), keys),
    'VAULT_UNKNOWN_KEY',
    'signed by another key',
  );
  // Another key that claims the cloud key's id.
  const impostor = { keyId: cloud.keyId, privateKey: other.privateKey };
  code(
    t,
    () => verifyCommand(signCommand(command, impostor), keys),
    'VAULT_BAD_SIGNATURE',
    'a stolen key id',
  );
  code(t, () => verifyCommand(Buffer.from([0xff, 0xff, 0xff]), keys), 'PROTOCOL_MALFORMED', 'garbage');
  code(t, () => verifyCommand(Buffer.alloc(300 * 1024), keys), 'PROTOCOL_TOO_LARGE', 'oversized');
});
