import { MinerError } from '../../errors.js';
import { isRecord } from '../../json.js';
import { type CgminerReply, envelope, parseReplyJson } from './reply.js';

/**
 * Splits the reply to a joined command (`{"command":"summary+pools"}`, API >= 3.1) into one result per member:
 * `{"summary":[{STATUS..,SUMMARY..,"id":1}],"pools":[{..}],"id":1}`, where cgminer wraps each member in a
 * one-element array. A member that failed on its own (STATUS E, as a non-joinable member does) or is malformed
 * maps to its MinerError, so the others stay usable. A reply with a top-level STATUS is not split: cgminer
 * refused the whole request, which throws MINER_COMMAND_FAILED (or MINER_BAD_REPLY if it claims success).
 */
export function splitMultiReply(raw: Buffer): Map<string, CgminerReply | MinerError> {
  const json = parseReplyJson(raw);
  if (!isRecord(json)) throw new MinerError('MINER_BAD_REPLY', 'reply is not a JSON object');
  if ('STATUS' in json) {
    envelope(json);
    throw new MinerError('MINER_BAD_REPLY', 'reply to a joined command has no per-command members');
  }
  const replies = new Map<string, CgminerReply | MinerError>();
  for (const [command, value] of Object.entries(json)) {
    if (command !== 'id') replies.set(command, member(command, value));
  }
  if (replies.size === 0) throw new MinerError('MINER_BAD_REPLY', 'reply to a joined command is empty');
  return replies;
}

function member(command: string, value: unknown): CgminerReply | MinerError {
  const [only, ...more] = Array.isArray(value) ? value : [];
  try {
    if (only === undefined || more.length > 0)
      throw new MinerError('MINER_BAD_REPLY', 'not a one-element array');
    return envelope(only);
  } catch (error) {
    if (!(error instanceof MinerError)) throw error;
    return new MinerError(error.code, `'${command}': ${error.message}`, { cause: error.cause });
  }
}
