import { commandUpdateCodec, hashinsight, ProtocolError } from '@hashinsight/protocol';
import { scrubSecrets } from '@hashinsight/vault';

// CommandUpdates from agents, decoded and turned into the cloud's target states. Pure: the consumer
// (consumer.ts) looks the dispatch up and applies the change.

const { CommandState } = hashinsight.v1;

/** Target states an agent can report (the cloud adds queued, dispatched and its own expiries). */
export type ReportedState =
  | 'received'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'rejected'
  | 'expired'
  | 'timed_out'
  | 'cancelled';

const STATES: Partial<Record<hashinsight.v1.CommandState, ReportedState>> = {
  [CommandState.COMMAND_STATE_RECEIVED]: 'received',
  [CommandState.COMMAND_STATE_RUNNING]: 'running',
  [CommandState.COMMAND_STATE_SUCCEEDED]: 'succeeded',
  [CommandState.COMMAND_STATE_FAILED]: 'failed',
  [CommandState.COMMAND_STATE_REJECTED]: 'rejected',
  [CommandState.COMMAND_STATE_EXPIRED]: 'expired',
  [CommandState.COMMAND_STATE_TIMED_OUT]: 'timed_out',
  [CommandState.COMMAND_STATE_CANCELLED]: 'cancelled',
};

/** One agent's report about one miner, in the cloud's terms. */
export interface TargetReport {
  /** The wire id: command_dispatch.id. */
  dispatchId: string;
  minerId: string;
  state: ReportedState;
  atMs: number;
  /** Cut to what the API shows; agent text, untrusted. */
  reason: string;
  errorCode: string;
}

/** Longest reason and error code kept from an agent's report. */
export const MAX_REASON = 500;
export const MAX_ERROR_CODE = 64;
const ERROR_CODE = /^[A-Z0-9_]{1,64}$/;

export type DecodedUpdate = { ok: true; report: TargetReport } | { ok: false; code: string; reason: string };

/**
 * Control characters (C0 apart from tab, DEL, C1) stripped and secrets scrubbed (an older agent's reason may quote
 * a firmware's error text with a login in it): the reason ends up in logs, the database and API answers.
 */
function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
  return scrubSecrets(text.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g, ' ')).slice(0, MAX_REASON);
}

/** Decodes untrusted bytes from a command-update topic; never throws for bad input. */
export function decodeUpdate(payload: Uint8Array): DecodedUpdate {
  let update: hashinsight.v1.CommandUpdate;
  try {
    update = commandUpdateCodec.decode(payload);
  } catch (error) {
    if (error instanceof ProtocolError) return { ok: false, code: error.code, reason: error.message };
    throw error;
  }
  const state = STATES[update.state];
  if (state === undefined) {
    return { ok: false, code: 'PROTOCOL_INVALID', reason: `unknown command state ${update.state}` };
  }
  const errorCode =
    update.errorCode === '' || ERROR_CODE.test(update.errorCode) ? update.errorCode : 'AGENT_ERROR';
  return {
    ok: true,
    report: {
      dispatchId: update.commandId,
      minerId: update.minerId,
      state,
      atMs: Number(update.atMs),
      reason: printable(update.message),
      errorCode: errorCode.slice(0, MAX_ERROR_CODE),
    },
  };
}
