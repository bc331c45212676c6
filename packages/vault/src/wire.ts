import protobuf from 'protobufjs/minimal.js';
import { VaultError } from './errors.js';

// Signatures and associated data are computed over a message's top-level fields exactly as they travel, less a
// few fields, instead of over a re-encoding: a decoder drops fields it does not know, so re-encoding would break
// every signature made by a newer cloud, and two encoders may order fields differently.

const LENGTH_DELIMITED = 2;

/** One top-level field's bytes (tag included). */
interface Field {
  number: number;
  start: number;
  end: number;
}

function fields(bytes: Uint8Array): Field[] {
  const reader = protobuf.Reader.create(bytes);
  const found: Field[] = [];
  try {
    while (reader.pos < reader.len) {
      const start = reader.pos;
      const tag = reader.uint32();
      const number = tag >>> 3;
      if (number === 0) throw new Error('field number 0');
      reader.skipType(tag & 7);
      found.push({ number, start, end: reader.pos });
    }
  } catch (cause) {
    throw new VaultError('VAULT_MALFORMED', 'not a readable protobuf message', { cause });
  }
  return found;
}

/** `bytes` without every occurrence of the given top-level fields. */
export function withoutFields(bytes: Uint8Array, numbers: readonly number[]): Uint8Array {
  const kept = fields(bytes).filter((field) => !numbers.includes(field.number));
  return Buffer.concat(kept.map((field) => bytes.subarray(field.start, field.end)));
}

/** The values of a length-delimited top-level field, in order of appearance. */
export function bytesFields(bytes: Uint8Array, number: number): Uint8Array[] {
  return fields(bytes)
    .filter((field) => field.number === number)
    .map((field) => {
      const reader = protobuf.Reader.create(bytes.subarray(field.start, field.end));
      if ((reader.uint32() & 7) !== LENGTH_DELIMITED) {
        throw new VaultError('VAULT_MALFORMED', `field ${number} is not length-delimited`);
      }
      return reader.bytes();
    });
}

/** One length-delimited top-level field, ready to append to an encoded message. */
export function encodeBytesField(number: number, value: Uint8Array): Uint8Array {
  return protobuf.Writer.create()
    .uint32((number << 3) | LENGTH_DELIMITED)
    .bytes(value)
    .finish();
}
