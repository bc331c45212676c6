import { sign, verify } from 'node:crypto';
import { commandCodec, type hashinsight } from '@hashinsight/protocol';
import { VaultError } from './errors.js';
import { importPublicKey } from './keys.js';
import { bytesFields, encodeBytesField, withoutFields } from './wire.js';

type Command = hashinsight.v1.Command;
type CommandFields = Omit<hashinsight.v1.ICommand, 'keyId' | 'signature'>;

/** A cloud signing key: its id and the Ed25519 private key. */
export interface SigningKey {
  keyId: string;
  privateKey: import('node:crypto').KeyObject;
}

/** A key the agent accepts signatures from: its id and the base64 of the raw Ed25519 public key. */
export interface VerifyKey {
  keyId: string;
  publicKey: string;
}

const COMMAND_SIGNATURE_FIELD = 31;
const SIGNATURE_BYTES = 64;

/** Signs an encoded message whose key id is already in it: the message with the signature field appended last. */
export function appendSignature(unsigned: Uint8Array, signatureField: number, key: SigningKey): Uint8Array {
  if (bytesFields(unsigned, signatureField).length > 0) {
    throw new VaultError('VAULT_MALFORMED', `field ${signatureField} must be empty before signing`);
  }
  const signature = sign(null, unsigned, key.privateKey);
  return Buffer.concat([unsigned, encodeBytesField(signatureField, signature)]);
}

/**
 * Checks that `bytes` (as received) carry exactly one signature, by the key `keyId` among `keys`, over every other
 * field. Throws VaultError VAULT_UNSIGNED, VAULT_UNKNOWN_KEY, VAULT_BAD_SIGNATURE or VAULT_MALFORMED.
 */
export function verifySignature(
  bytes: Uint8Array,
  signatureField: number,
  keyId: string,
  keys: readonly VerifyKey[],
): void {
  const signatures = bytesFields(bytes, signatureField);
  if (signatures.length === 0) throw new VaultError('VAULT_UNSIGNED', 'the message is not signed');
  if (signatures.length > 1)
    throw new VaultError('VAULT_MALFORMED', 'the message carries several signatures');
  const key = keys.find((candidate) => candidate.keyId === keyId);
  if (key === undefined) {
    throw new VaultError(
      'VAULT_UNKNOWN_KEY',
      `signed with unknown key ${JSON.stringify(keyId.slice(0, 64))}`,
    );
  }
  const signature = signatures[0] as Uint8Array;
  const signed = withoutFields(bytes, [signatureField]);
  if (
    signature.length !== SIGNATURE_BYTES ||
    !verify(null, signed, importPublicKey('ed25519', key.publicKey), signature)
  ) {
    throw new VaultError('VAULT_BAD_SIGNATURE', 'the signature does not match the message');
  }
}

/** Encodes a Command with `key`'s id and signs it (the cloud's side). */
export function signCommand(command: CommandFields, key: SigningKey): Uint8Array {
  const unsigned = commandCodec.encode({ ...command, keyId: key.keyId, signature: null });
  return appendSignature(unsigned, COMMAND_SIGNATURE_FIELD, key);
}

/**
 * Decodes a Command received from the broker and checks the cloud's signature (the agent's side). Throws a
 * ProtocolError for bytes that are not a valid Command, a VaultError for a signature problem. Expiry, agent id,
 * nonce and targets are the caller's to check: they need its clock, identity and journal.
 */
export function verifyCommand(bytes: Uint8Array, keys: readonly VerifyKey[]): Command {
  const command = commandCodec.decode(bytes);
  verifySignature(bytes, COMMAND_SIGNATURE_FIELD, command.keyId, keys);
  return command;
}
