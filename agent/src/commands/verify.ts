import { type hashinsight, ProtocolError } from '@hashinsight/protocol';
import { VaultError, type VerifyKey, verifyCommand } from '@hashinsight/vault';

type Command = hashinsight.v1.Command;

/** What to do with a message from the command topic. */
export type Verdict =
  /** Authentic, new, for this agent and its miners: journal it and run it. */
  | { kind: 'accept'; command: Command }
  /**
   * Authentic and new but not to be run (expired, a miner this agent does not hold, invalid arguments): journaled
   * under its id with every target rejected or expired, and reported to the cloud.
   */
  | { kind: 'reject'; command: Command; state: 'rejected' | 'expired'; code: string; reason: string }
  /**
   * Not an authentic new command for this agent (unreadable, unsigned, tampered, unknown key, another agent's,
   * replayed): journaled as a refusal only — its id may be a real command's — and not reported.
   */
  | { kind: 'refuse'; commandId?: string; code: string; reason: string };

export interface VerifyContext {
  agentId: string;
  keys: readonly VerifyKey[];
  nowMs: number;
  /** Longest a command may still be valid for when it arrives; the journal must outlive it (default 7 days). */
  maxLifetimeMs: number;
  /**
   * How long after its expiry a command stays in the journal. One that expired longer ago may have been forgotten,
   * so it is refused as stale (not reported: it may be a replay of a command that ran).
   */
  journalKeepsExpiredMs: number;
  seen(commandId: string, nonce: Uint8Array): boolean;
  isOwnMiner(minerId: string): boolean;
  /** The targets of a journaled command, or undefined when it is not in the journal (for CancelCommand). */
  targetsOf(commandId: string): readonly string[] | undefined;
}

const NONCE_BYTES = 16;
const VAULT_CODES: Record<string, string> = {
  VAULT_UNSIGNED: 'COMMAND_UNSIGNED',
  VAULT_UNKNOWN_KEY: 'COMMAND_UNKNOWN_KEY',
  VAULT_BAD_SIGNATURE: 'COMMAND_BAD_SIGNATURE',
  VAULT_MALFORMED: 'COMMAND_MALFORMED',
};

/** Why the action's arguments can never run, or undefined. Capabilities are checked per miner, later. */
function actionProblem(command: Command, context: VerifyContext): string | undefined {
  switch (command.action) {
    case 'cancel': {
      const earlier = command.cancel?.commandId ?? '';
      if (earlier === '' || earlier === command.commandId) return 'cancel needs the id of an earlier command';
      const targets = context.targetsOf(earlier);
      if (targets === undefined) return `command ${earlier.slice(0, 64)} is not in this agent's journal`;
      const strangers = command.minerIds.filter((minerId) => !targets.includes(minerId));
      return strangers.length > 0
        ? `not targets of ${earlier.slice(0, 64)}: ${strangers.slice(0, 5).join(', ')}`
        : undefined;
    }
    case 'setPools':
      return (command.setPools?.pools?.length ?? 0) === 0 ? 'setPools needs at least one pool' : undefined;
    case 'setPowerMode':
      return !command.setPowerMode?.mode ? 'setPowerMode needs a mode' : undefined;
    case 'updateCredentials':
      return command.updateCredentials?.credentialId ? undefined : 'updateCredentials needs a credential id';
    default:
      return undefined;
  }
}

/** Judges one message from the command topic. Pure: the caller journals and acts on the verdict. */
export function judgeCommand(payload: Uint8Array, context: VerifyContext): Verdict {
  let command: Command;
  try {
    command = verifyCommand(payload, context.keys);
  } catch (error) {
    if (error instanceof ProtocolError)
      return { kind: 'refuse', code: 'COMMAND_MALFORMED', reason: error.message };
    if (error instanceof VaultError) {
      return {
        kind: 'refuse',
        code: VAULT_CODES[error.code] ?? 'COMMAND_BAD_SIGNATURE',
        reason: error.message,
      };
    }
    throw error;
  }
  const commandId = command.commandId;
  if (command.agentId !== context.agentId) {
    return {
      kind: 'refuse',
      commandId,
      code: 'COMMAND_WRONG_AGENT',
      reason: `the command is for agent ${JSON.stringify(command.agentId.slice(0, 64))}`,
    };
  }
  if (command.nonce.length !== NONCE_BYTES) {
    return {
      kind: 'refuse',
      commandId,
      code: 'COMMAND_MALFORMED',
      reason: `the nonce must have ${NONCE_BYTES} bytes`,
    };
  }
  if (command.expiresAtMs < context.nowMs - context.journalKeepsExpiredMs) {
    return {
      kind: 'refuse',
      commandId,
      code: 'COMMAND_STALE',
      reason: 'expired longer ago than the journal keeps',
    };
  }
  if (context.seen(commandId, command.nonce)) {
    return {
      kind: 'refuse',
      commandId,
      code: 'COMMAND_REPLAYED',
      reason: 'this command id or nonce was seen before',
    };
  }
  if (command.expiresAtMs <= context.nowMs) {
    return {
      kind: 'reject',
      command,
      state: 'expired',
      code: 'COMMAND_EXPIRED',
      reason: `expired ${context.nowMs - command.expiresAtMs} ms before it arrived`,
    };
  }
  const reject = (code: string, reason: string): Verdict => ({
    kind: 'reject',
    command,
    state: 'rejected',
    code,
    reason,
  });
  if (command.expiresAtMs > context.nowMs + context.maxLifetimeMs) {
    return reject('COMMAND_LIFETIME_TOO_LONG', `valid for more than ${context.maxLifetimeMs} ms`);
  }
  if (new Set(command.minerIds).size !== command.minerIds.length) {
    return reject('COMMAND_INVALID', 'a miner is named twice');
  }
  const foreign = command.minerIds.filter((minerId) => !context.isOwnMiner(minerId));
  if (foreign.length > 0) {
    return reject(
      'COMMAND_UNKNOWN_MINER',
      `not miners of this agent: ${foreign.slice(0, 5).join(', ')}${foreign.length > 5 ? ` and ${foreign.length - 5} more` : ''}`,
    );
  }
  const problem = actionProblem(command, context);
  if (problem !== undefined) return reject('COMMAND_INVALID', problem);
  return { kind: 'accept', command };
}
