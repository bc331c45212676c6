import type { Writer } from 'protobufjs';
import { hashinsight } from '../generated/hashinsight.js';
import { ProtocolError } from './errors.js';
import { newUnpackBudget, unpackSamples } from './packing.js';
import { validators } from './validate.js';

/** Largest payload either side accepts on any topic. The agent cuts telemetry batches by bytes to stay under it. */
export const MAX_MESSAGE_BYTES = 256 * 1024;

interface GeneratedType<Plain, Message> {
  encode(message: Plain): Writer;
  decode(bytes: Uint8Array): Message;
  verify(message: Record<string, unknown>): string | null;
}

export interface Codec<Plain, Message> {
  /** Checks field types and the contract's rules, then encodes. Throws ProtocolError PROTOCOL_INVALID. */
  encode(message: Plain): Uint8Array;
  /** Decodes untrusted bytes. Throws ProtocolError: PROTOCOL_TOO_LARGE, PROTOCOL_MALFORMED or PROTOCOL_INVALID. */
  decode(bytes: Uint8Array): Message;
}

function codec<Plain, Message>(
  name: string,
  type: GeneratedType<Plain, Message>,
  validate: (message: Message | Plain) => string | undefined,
  /** Runs on a decoded message before validation (e.g. unpacks compressed parts); throws ProtocolError. */
  expand: (message: Message) => void = () => {},
): Codec<Plain, Message> {
  return {
    encode(message) {
      const problem = type.verify(message as Record<string, unknown>) ?? validate(message);
      if (problem) throw new ProtocolError('PROTOCOL_INVALID', `${name}: ${problem}`);
      const bytes = type.encode(message).finish();
      if (bytes.length > MAX_MESSAGE_BYTES) {
        throw new ProtocolError(
          'PROTOCOL_TOO_LARGE',
          `${name}: ${bytes.length} bytes exceeds ${MAX_MESSAGE_BYTES}`,
        );
      }
      return bytes;
    },
    decode(bytes) {
      if (bytes.length > MAX_MESSAGE_BYTES) {
        throw new ProtocolError(
          'PROTOCOL_TOO_LARGE',
          `${name}: ${bytes.length} bytes exceeds ${MAX_MESSAGE_BYTES}`,
        );
      }
      let message: Message;
      try {
        message = type.decode(bytes);
      } catch (cause) {
        // Truncated input, bad wire types and deeply nested groups (a stack overflow) all land here.
        const reason = cause instanceof Error ? cause.message : String(cause);
        throw new ProtocolError('PROTOCOL_MALFORMED', `${name}: cannot decode (${reason})`, { cause });
      }
      expand(message);
      const problem = validate(message);
      if (problem) throw new ProtocolError('PROTOCOL_INVALID', `${name}: ${problem}`);
      return message;
    },
  };
}

const v1 = hashinsight.v1;
export const agentPresenceCodec = codec('AgentPresence', v1.AgentPresence, validators.agentPresence);
/**
 * Decoding unpacks the batch's SampleBlocks into `samples` (after any plain ones) under the limits of
 * packing.ts, so a reader sees one list of samples whichever form the agent sent.
 */
export const telemetryBatchCodec = codec(
  'TelemetryBatch',
  v1.TelemetryBatch,
  validators.telemetryBatch,
  (batch) => {
    if (batch.blocks.length === 0) return;
    const budget = newUnpackBudget();
    budget.samples -= batch.samples.length;
    for (const [i, block] of batch.blocks.entries()) {
      batch.samples.push(...unpackSamples(block, budget, `TelemetryBatch: blocks[${i}]`));
    }
    batch.blocks = [];
  },
);
export const telemetryAckCodec = codec('TelemetryAck', v1.TelemetryAck, validators.telemetryAck);
export const discoveryReportCodec = codec('DiscoveryReport', v1.DiscoveryReport, validators.discoveryReport);
export const commandCodec = codec('Command', v1.Command, validators.command);
export const commandUpdateCodec = codec('CommandUpdate', v1.CommandUpdate, validators.commandUpdate);
export const sealedCredentialCodec = codec(
  'SealedCredential',
  v1.SealedCredential,
  validators.sealedCredential,
);
export const cloudStateCodec = codec('CloudState', v1.CloudState, () => undefined);
