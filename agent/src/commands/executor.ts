import { MinerError } from '@hashinsight/miners';
import { commandCodec, commandUpdateCodec, hashinsight, ProtocolError } from '@hashinsight/protocol';
import {
  type KeyPair,
  type MinerLogin,
  openCredential,
  VaultError,
  type VerifyKey,
  verifySealedCredential,
} from '@hashinsight/vault';
import type { Logger } from 'pino';
import type { InventoryMiner } from '../inventory/index.js';
import type { CommandJournal, CredentialCache, PendingUpdate, TargetState } from '../store/index.js';
import { CommandFailure, operationFor } from './actions.js';
import type { MinerControl } from './control.js';
import { judgeCommand } from './verify.js';

type Command = hashinsight.v1.Command;
const { CommandState, CredentialScope } = hashinsight.v1;

/** What the executor needs of the sync (CloudSync has it). */
export interface CommandChannel {
  /** True once the broker has the message (PUBACK); false when not connected. */
  publish(kind: 'command-update', payload: Uint8Array): Promise<boolean>;
  onMessage(kind: 'command' | 'credential', handler: (payload: Buffer) => void): void;
  onConnected(handler: () => void): void;
}

export interface CommandExecutorOptions {
  journal: CommandJournal;
  credentials: CredentialCache;
  inventory: { get(minerId: string): InventoryMiner | undefined };
  channel: CommandChannel;
  /** This agent as enrolled: its id, the cloud's command keys and its own box key (to open credentials). */
  identity: { agentId: string; commandKeys: readonly VerifyKey[]; boxKey: KeyPair };
  control: MinerControl;
  /** Miner calls in flight at once for this site (the agent serves one site); default 4. */
  concurrency?: number;
  /** Longest validity a command may still have when it arrives; default 7 days. */
  maxLifetimeMs?: number;
  now?: () => number;
  logger: Logger;
}

const STATE: Record<TargetState, hashinsight.v1.CommandState> = {
  received: CommandState.COMMAND_STATE_RECEIVED,
  running: CommandState.COMMAND_STATE_RUNNING,
  succeeded: CommandState.COMMAND_STATE_SUCCEEDED,
  failed: CommandState.COMMAND_STATE_FAILED,
  rejected: CommandState.COMMAND_STATE_REJECTED,
  expired: CommandState.COMMAND_STATE_EXPIRED,
};

const SEVEN_DAYS_MS = 7 * 24 * 3600 * 1000;
/** Expired commands are kept a day, so a late replay is still recognised; refusals 30 days. */
const KEEP_EXPIRED_MS = 24 * 3600 * 1000;
const KEEP_REFUSALS_MS = 30 * 24 * 3600 * 1000;
const PRUNE_EVERY_MS = 3600 * 1000;

/**
 * Runs the cloud's commands: verifies each (signature, agent, nonce, expiry, miners), journals it with a row per
 * target before acting, runs each target through its miner's driver with a concurrency limit, commits every state
 * change before the next step and queues it as a CommandUpdate, which leaves the queue only once the broker has it.
 * On start it fails what a crash left running (AGENT_RESTARTED: never run twice), resumes what was journaled but
 * not started, and reports whatever is unreported — again on every connection.
 */
export class CommandExecutor {
  private readonly queue: Array<{ command: Command; minerId: string }> = [];
  private readonly commands = new Map<string, Command>();
  private active = 0;
  private flushing: Promise<void> | undefined;
  private flushAgain = false;
  private stopped = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private pruneTimer: NodeJS.Timeout | undefined;
  private readonly idleWaiters: Array<() => void> = [];
  private readonly concurrency: number;
  private readonly now: () => number;
  private readonly log: Logger;

  constructor(private readonly options: CommandExecutorOptions) {
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.now = options.now ?? Date.now;
    this.log = options.logger.child({ component: 'commands' });
  }

  start(): void {
    const { journal, channel } = this.options;
    const failed = journal.failInterrupted(this.now());
    if (failed > 0)
      this.log.warn({ targets: failed }, 'commands interrupted by a restart failed as AGENT_RESTARTED');
    for (const target of journal.pending()) {
      const command = this.journaledCommand(target.commandId);
      if (command) this.queue.push({ command, minerId: target.minerId });
    }
    channel.onMessage('command', (payload) => this.receiveCommand(payload));
    channel.onMessage('credential', (payload) => this.receiveCredential(payload));
    channel.onConnected(() => this.report());
    this.prune();
    this.pruneTimer = setInterval(() => this.prune(), PRUNE_EVERY_MS);
    this.pruneTimer.unref();
    this.pump();
    this.report();
  }

  private prune(): void {
    const nowMs = this.now();
    const forgotten = this.options.journal.prune(nowMs - KEEP_EXPIRED_MS, nowMs - KEEP_REFUSALS_MS);
    if (forgotten > 0) this.log.debug({ commands: forgotten }, 'expired commands pruned from the journal');
  }

  /** Stops taking work; waits for the miner calls in flight. LED timers are dropped (best effort, documented). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.pruneTimer);
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.queue.length = 0;
    await this.idle();
  }

  /** Resolves when no target runs or waits and no report is being sent (tests, stop). */
  idle(): Promise<void> {
    if (this.active === 0 && this.queue.length === 0 && this.flushing === undefined) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** One message from the command topic: judged, journaled (whatever the verdict), then run or reported. */
  receiveCommand(payload: Buffer): void {
    if (this.stopped) return;
    const { journal, inventory, identity } = this.options;
    const nowMs = this.now();
    const verdict = judgeCommand(payload, {
      agentId: identity.agentId,
      keys: identity.commandKeys,
      nowMs,
      maxLifetimeMs: this.options.maxLifetimeMs ?? SEVEN_DAYS_MS,
      journalKeepsExpiredMs: KEEP_EXPIRED_MS,
      seen: (commandId, nonce) => journal.seen(commandId, nonce),
      isOwnMiner: (minerId) => inventory.get(minerId) !== undefined,
    });
    if (verdict.kind === 'refuse') {
      journal.refuse({
        receivedMs: nowMs,
        commandId: verdict.commandId ?? null,
        code: verdict.code,
        reason: verdict.reason,
        payload,
      });
      this.log.warn(
        { commandId: verdict.commandId, code: verdict.code, reason: verdict.reason },
        'command refused',
      );
      return;
    }
    const { command } = verdict;
    const accepted = verdict.kind === 'accept';
    const recorded = journal.record(
      {
        commandId: command.commandId,
        nonce: command.nonce,
        receivedMs: nowMs,
        expiresAtMs: command.expiresAtMs,
        payload,
        verdict: accepted ? 'accepted' : verdict.code,
      },
      command.minerIds.map((minerId) =>
        accepted
          ? { minerId, state: 'received' as const }
          : { minerId, state: verdict.state, message: verdict.reason, errorCode: verdict.code },
      ),
    );
    if (!recorded) {
      // The same command arrived twice at once; the first one is journaled.
      journal.refuse({
        receivedMs: nowMs,
        commandId: command.commandId,
        code: 'COMMAND_REPLAYED',
        reason: 'seen before',
        payload,
      });
      return;
    }
    const fields = { commandId: command.commandId, action: command.action, targets: command.minerIds.length };
    if (accepted) {
      this.log.info(fields, 'command journaled');
      this.commands.set(command.commandId, command);
      for (const minerId of command.minerIds) this.queue.push({ command, minerId });
      this.pump();
    } else {
      this.log.warn({ ...fields, code: verdict.code, reason: verdict.reason }, 'command rejected');
    }
    this.report();
  }

  /** One message from the credential topic: kept sealed if it is the cloud's, for this agent, and newer. */
  receiveCredential(payload: Buffer): void {
    const { identity, credentials } = this.options;
    try {
      const sealed = verifySealedCredential(payload, identity.boxKey, identity.commandKeys);
      if (sealed.agentId !== identity.agentId) {
        this.log.warn({ credentialId: sealed.credentialId }, 'credential for another agent ignored');
        return;
      }
      const stored = credentials.put(
        {
          credentialId: sealed.credentialId,
          version: sealed.version,
          scope: sealed.scope,
          minerIds: sealed.minerIds,
        },
        payload,
        this.now(),
      );
      this.log.info(
        { credentialId: sealed.credentialId, version: sealed.version, stored },
        'sealed credential received',
      );
    } catch (error) {
      if (!(error instanceof VaultError || error instanceof ProtocolError)) throw error;
      this.log.warn({ code: error.code }, 'credential refused');
    }
  }

  private journaledCommand(commandId: string): Command | undefined {
    const cached = this.commands.get(commandId);
    if (cached) return cached;
    const row = this.options.journal.command(commandId);
    if (row === undefined) return undefined;
    // Verified when it arrived; decoded again from the journal's own copy.
    const command = commandCodec.decode(row.payload);
    this.commands.set(commandId, command);
    return command;
  }

  private pump(): void {
    while (!this.stopped && this.active < this.concurrency && this.queue.length > 0) {
      const next = this.queue.shift()!;
      this.active++;
      void this.runTarget(next.command, next.minerId).finally(() => {
        this.active--;
        this.pump();
        this.settleIdle();
      });
    }
    this.settleIdle();
  }

  private settleIdle(): void {
    if (this.active !== 0 || this.queue.length !== 0 || this.flushing !== undefined) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** The miner's login, opened from its sealed credential only for this call. */
  private loginFor(minerId: string): MinerLogin | undefined {
    const { credentials, identity } = this.options;
    const cached =
      credentials.forMiner(minerId, CredentialScope.CREDENTIAL_SCOPE_MINER_WEB) ??
      credentials.forMiner(minerId, CredentialScope.CREDENTIAL_SCOPE_MINER_API);
    return cached && openCredential(cached.payload, identity.boxKey, identity.commandKeys);
  }

  private poolPassword(credentialId: string): string {
    const cached = this.options.credentials.get(credentialId);
    if (cached === undefined) {
      throw new CommandFailure(
        'COMMAND_CREDENTIAL_MISSING',
        `no sealed credential ${credentialId} on this agent`,
      );
    }
    const { identity } = this.options;
    return openCredential(cached.payload, identity.boxKey, identity.commandKeys).password;
  }

  private async runTarget(command: Command, minerId: string): Promise<void> {
    const { journal, inventory, control } = this.options;
    const { commandId } = command;
    const log = this.log.child({ commandId, minerId });
    const move = (
      from: TargetState[],
      to: TargetState,
      detail: { message?: string; errorCode?: string } = {},
    ) => {
      const moved = journal.transition(commandId, minerId, from, to, this.now(), detail);
      this.report();
      return moved;
    };
    if (this.now() >= command.expiresAtMs) {
      move(['received'], 'expired', {
        errorCode: 'COMMAND_EXPIRED',
        message: 'expired before it could start',
      });
      return;
    }
    const miner = inventory.get(minerId);
    if (miner === undefined) {
      move(['received'], 'failed', {
        errorCode: 'COMMAND_UNKNOWN_MINER',
        message: 'the miner left the inventory',
      });
      return;
    }
    if (command.action === 'updateCredentials') {
      const wanted = command.updateCredentials;
      const held = this.options.credentials.get(wanted?.credentialId ?? '');
      if (held === undefined || held.version !== wanted?.credentialVersion) {
        move(['received'], 'failed', {
          errorCode: 'COMMAND_CREDENTIAL_MISSING',
          message: `credential ${wanted?.credentialId} version ${wanted?.credentialVersion} is not on this agent`,
        });
        return;
      }
    }
    // Committed before the first byte goes to the miner: after a crash from here on, the target is never rerun.
    if (!move(['received'], 'running')) return;
    try {
      const operation = operationFor(command, (credentialId) => this.poolPassword(credentialId));
      await control(
        { minerId, ip: miner.ip, port: miner.port, driver: miner.driver },
        operation,
        this.loginFor(minerId),
      );
      move(['running'], 'succeeded');
      log.info({ action: command.action }, 'command succeeded');
      const ledS = command.setLed?.on ? (command.setLed.durationS ?? 0) : 0;
      if (command.action === 'setLed' && ledS > 0) this.ledOffLater(miner, ledS * 1000, log);
    } catch (error) {
      const errorCode =
        error instanceof CommandFailure || error instanceof MinerError || error instanceof VaultError
          ? error.code
          : 'COMMAND_FAILED';
      const message = error instanceof Error ? error.message : String(error);
      move(['running'], 'failed', { errorCode, message });
      log.warn({ action: command.action, code: errorCode, reason: message }, 'command failed');
    }
  }

  /** Turns a LED off after its duration; best effort (not journaled: a restart in between leaves it on). */
  private ledOffLater(miner: InventoryMiner, delayMs: number, log: Logger): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const target = { minerId: miner.minerId, ip: miner.ip, port: miner.port, driver: miner.driver };
      this.options
        .control(target, { kind: 'led', on: false }, this.loginFor(miner.minerId))
        .catch((error: unknown) => {
          log.warn(
            { reason: error instanceof Error ? error.message : String(error) },
            'could not turn the LED off',
          );
        });
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  /** Sends every unreported state, oldest first, one at a time; stops at the first that cannot be sent. */
  private report(): void {
    if (this.flushing !== undefined) {
      this.flushAgain = true;
      return;
    }
    this.flushing = this.flush()
      .catch((error: unknown) => this.log.warn({ err: error }, 'command updates not sent'))
      .finally(() => {
        this.flushing = undefined;
        if (this.flushAgain) {
          this.flushAgain = false;
          this.report();
        } else this.settleIdle();
      });
  }

  private async flush(): Promise<void> {
    const { journal, channel } = this.options;
    for (;;) {
      const rows = journal.unreported(100);
      if (rows.length === 0) return;
      for (const row of rows) {
        if (!(await channel.publish('command-update', this.update(row)))) return; // not connected: next connection
        journal.markReported(row);
      }
      this.flushAgain = false;
    }
  }

  private update(row: PendingUpdate): Uint8Array {
    return commandUpdateCodec.encode({
      commandId: row.commandId,
      minerId: row.minerId,
      state: STATE[row.state],
      atMs: row.updatedMs,
      message: row.message,
      errorCode: row.errorCode,
    });
  }
}
