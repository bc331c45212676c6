import { type ControlOperation, MinerError } from '@hashinsight/miners';
import { commandCodec, commandUpdateCodec, hashinsight, ProtocolError } from '@hashinsight/protocol';
import {
  type KeyPair,
  openCredential,
  scrubSecrets,
  VaultError,
  type VerifyKey,
  verifySealedCredential,
} from '@hashinsight/vault';
import type { Logger } from 'pino';
import type { InventoryMiner } from '../inventory/index.js';
import type {
  CachedCredential,
  CommandJournal,
  CredentialCache,
  LedTimer,
  LedTimers,
  ObservedTarget,
  PendingUpdate,
  TargetState,
} from '../store/index.js';
import { CommandFailure, operationFor } from './actions.js';
import type { ControlTarget, MinerControl, MinerObserver } from './control.js';
import { MinerLogins } from './logins.js';
import { effectSeen, expectationFor } from './observe.js';
import { judgeCommand } from './verify.js';

type Command = hashinsight.v1.Command;
const { CommandState } = hashinsight.v1;

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
  /** Reads the miners back to see each command's effect. */
  observer: MinerObserver;
  /** LED off-times, journaled so a restart still turns a timed LED off. */
  ledTimers: LedTimers;
  /** How long a command's effect is awaited when the command names no timeout; default 900 s. */
  effectTimeoutMs?: number;
  /** Time between two reads of a miner while its effect is awaited; default 5 s. */
  effectPollMs?: number;
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
  // Never queued (see CommandJournal.observe): for the cloud the target is still running.
  observing: CommandState.COMMAND_STATE_RUNNING,
  succeeded: CommandState.COMMAND_STATE_SUCCEEDED,
  failed: CommandState.COMMAND_STATE_FAILED,
  rejected: CommandState.COMMAND_STATE_REJECTED,
  expired: CommandState.COMMAND_STATE_EXPIRED,
  timed_out: CommandState.COMMAND_STATE_TIMED_OUT,
  cancelled: CommandState.COMMAND_STATE_CANCELLED,
};

/** Refusals that prove the miner did not take a new login: the pending version is dropped. */
const LOGIN_REFUSED: ReadonlySet<string> = new Set([
  'MINER_BAD_ARGUMENT',
  'MINER_UNSUPPORTED',
  'MINER_COMMAND_FAILED',
  'MINER_AUTH_FAILED',
]);

const SEVEN_DAYS_MS = 7 * 24 * 3600 * 1000;
/** CommandUpdates published before waiting for their PUBACKs. */
const REPORT_WINDOW = 64;
/** Expired commands are kept a day, so a late replay is still recognised; refusals 30 days. */
const KEEP_EXPIRED_MS = 24 * 3600 * 1000;
const KEEP_REFUSALS_MS = 30 * 24 * 3600 * 1000;
const PRUNE_EVERY_MS = 3600 * 1000;

/**
 * Runs the cloud's commands: verifies each (signature, agent, nonce, expiry, miners), journals it with a row per
 * target before acting, runs each target through its miner's driver with a concurrency limit, commits every state
 * change before the next step and queues it as a CommandUpdate, which leaves the queue only once the broker has it.
 * A target succeeds only once its effect is seen (observe.ts): after the miner accepted the action the agent reads
 * it every `effectPollMs` until the effect shows (SUCCEEDED) or the command's effect timeout passes (TIMED_OUT).
 * On start it fails what a crash left running (AGENT_RESTARTED: never run twice), resumes watching what the miner
 * had already accepted (the action is not repeated), resumes what was journaled but not started, turns off LEDs
 * whose time ran out, and reports whatever is unreported — again on every connection. A CancelCommand cancels the
 * named targets of an earlier command that have not started.
 */
export class CommandExecutor {
  private readonly queue: Array<{ command: Command; minerId: string }> = [];
  private readonly commands = new Map<string, Command>();
  private active = 0;
  private flushing: Promise<void> | undefined;
  private flushAgain = false;
  private stopped = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly logins: MinerLogins;
  private readonly effectTimeoutMs: number;
  private readonly effectPollMs: number;
  private pruneTimer: NodeJS.Timeout | undefined;
  private readonly idleWaiters: Array<() => void> = [];
  private readonly concurrency: number;
  private readonly now: () => number;
  private readonly log: Logger;

  constructor(private readonly options: CommandExecutorOptions) {
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.now = options.now ?? Date.now;
    this.log = options.logger.child({ component: 'commands' });
    this.logins = new MinerLogins(options.credentials, options.identity);
    this.effectTimeoutMs = options.effectTimeoutMs ?? 900_000;
    this.effectPollMs = options.effectPollMs ?? 5000;
  }

  start(): void {
    const { journal, channel } = this.options;
    const failed = journal.failInterrupted(this.now());
    if (failed > 0)
      this.log.warn({ targets: failed }, 'commands interrupted by a restart failed as AGENT_RESTARTED');
    // A rotation interrupted that way no longer carries its login: it becomes a fallback like any pending one.
    this.options.credentials.releaseFinishedClaims();
    for (const target of journal.observing()) {
      const command = this.journaledCommand(target.commandId);
      if (command) this.watch(command, target);
    }
    for (const target of journal.pending()) {
      const command = this.journaledCommand(target.commandId);
      if (command) this.queue.push({ command, minerId: target.minerId });
    }
    for (const timer of this.options.ledTimers.all()) this.ledOffAt(timer);
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

  /**
   * Stops taking work; waits for the miner calls in flight. Effect watches and LED timers stop here and resume from
   * the journal at the next start.
   */
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
      targetsOf: (commandId) => {
        const row = journal.command(commandId);
        return row?.verdict === 'accepted' ? journal.targets(commandId).map((t) => t.minerId) : undefined;
      },
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
    if (accepted && command.action === 'cancel') {
      this.log.info(fields, 'cancel journaled');
      this.cancel(command);
    } else if (accepted) {
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

  /**
   * CancelCommand: each named target of the earlier command that has not started is cancelled (reported CANCELLED
   * under the earlier command's id); the cancel's own target succeeds either way, saying when it found the target
   * already started or done. A queued run of a cancelled target finds it no longer `received` and does nothing.
   */
  private cancel(command: Command): void {
    const { journal } = this.options;
    const earlier = command.cancel?.commandId ?? '';
    for (const minerId of command.minerIds) {
      const nowMs = this.now();
      const cancelled = journal.transition(earlier, minerId, ['received'], 'cancelled', nowMs, {
        message: `cancelled by ${command.commandId}`,
      });
      journal.transition(command.commandId, minerId, ['received'], 'succeeded', nowMs, {
        message: cancelled ? '' : 'already started or finished: left alone',
      });
      this.log.info({ commandId: earlier, minerId, cancelled }, 'cancel applied');
    }
    this.report();
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

  private controlTarget(miner: InventoryMiner): ControlTarget {
    return { minerId: miner.minerId, ip: miner.ip, port: miner.port, driver: miner.driver };
  }

  /** Moves a target and reports the change; false when it was not in `from`. */
  private move(
    commandId: string,
    minerId: string,
    from: TargetState[],
    to: TargetState,
    detail: { message?: string; errorCode?: string } = {},
  ): boolean {
    const moved = this.options.journal.transition(commandId, minerId, from, to, this.now(), detail);
    this.report();
    return moved;
  }

  private async runTarget(command: Command, minerId: string): Promise<void> {
    const { inventory, control, credentials } = this.options;
    const { commandId } = command;
    const log = this.log.child({ commandId, minerId });
    const move = (from: TargetState[], to: TargetState, detail?: { message?: string; errorCode?: string }) =>
      this.move(commandId, minerId, from, to, detail);
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
    let newLogin: CachedCredential | undefined;
    if (command.action === 'updateCredentials') {
      const wanted = command.updateCredentials;
      newLogin = credentials.version(wanted?.credentialId ?? '', wanted?.credentialVersion ?? 0);
      if (newLogin === undefined) {
        move(['received'], 'failed', {
          errorCode: 'COMMAND_CREDENTIAL_MISSING',
          message: `credential ${wanted?.credentialId} version ${wanted?.credentialVersion} is not on this agent`,
        });
        return;
      }
    }
    // Committed before the first byte goes to the miner: after a crash from here on, the target is never rerun.
    if (!move(['received'], 'running')) return;
    if (newLogin) credentials.claim(newLogin.credentialId, newLogin.version, commandId);
    const target = this.controlTarget(miner);
    const expectation = expectationFor(command);
    // For a restart, the run it ends: read just before the action (a failed read only loses this proof).
    const baselineUptimeS =
      expectation.kind === 'restarted'
        ? await this.options.observer
            .read(target, this.logins.current(minerId, miner.driver))
            .then((reading) => reading.uptimeS)
            .catch(() => undefined)
        : undefined;
    const actedMs = this.now();
    try {
      if (newLogin) {
        // The login in use (same scope) authorises the change; the new one goes to the miner.
        const next = this.logins.open(newLogin);
        const operation: ControlOperation = { kind: 'set-login', ...next };
        await control(target, operation, this.logins.current(minerId, miner.driver, newLogin.scope));
      } else {
        const operation = operationFor(command, (credentialId) => this.poolPassword(credentialId));
        await this.logins.withLogin(minerId, miner.driver, (login) => control(target, operation, login));
      }
    } catch (error) {
      const errorCode =
        error instanceof CommandFailure || error instanceof MinerError || error instanceof VaultError
          ? error.code
          : 'COMMAND_FAILED';
      // Journaled, logged and sent to the cloud: a firmware's error text may quote a login.
      const message = scrubSecrets(error instanceof Error ? error.message : String(error));
      if (newLogin) {
        // A refusal means the miner kept its login; after a timeout or a drop it may have taken the new one, which
        // stays pending (unclaimed) so a refused old login can fall back to it.
        if (LOGIN_REFUSED.has(errorCode)) credentials.discard(newLogin.credentialId, newLogin.version);
        else credentials.claim(newLogin.credentialId, newLogin.version, null);
      }
      move(['running'], 'failed', { errorCode, message });
      log.warn({ action: command.action, code: errorCode, reason: message }, 'command failed');
      return;
    }
    if (expectation.kind === 'acknowledged') {
      this.succeeded(command, miner, log);
      return;
    }
    const timeoutMs = command.effectTimeoutS > 0 ? command.effectTimeoutS * 1000 : this.effectTimeoutMs;
    const observed: ObservedTarget = {
      commandId,
      minerId,
      actedMs,
      untilMs: actedMs + timeoutMs,
      ...(baselineUptimeS === undefined ? {} : { baselineUptimeS }),
    };
    this.options.journal.observe(observed);
    log.debug({ action: command.action, untilMs: observed.untilMs }, 'accepted; watching for its effect');
    this.watch(command, observed);
  }

  /**
   * The effect is there: what follows from it (LED timer, new login in use) is committed first, then the success —
   * a crash in between leaves the target to fail as AGENT_RESTARTED, never a success without its consequence.
   */
  private succeeded(command: Command, miner: InventoryMiner, log: Logger): void {
    const { commandId } = command;
    if (command.action === 'setLed') {
      const { ledTimers } = this.options;
      const durationS = command.setLed?.on ? (command.setLed.durationS ?? 0) : 0;
      if (durationS > 0) {
        const timer = { minerId: miner.minerId, offAtMs: this.now() + durationS * 1000, commandId };
        ledTimers.set(timer);
        this.ledOffAt(timer);
      } else ledTimers.clear(miner.minerId); // set for good: an earlier timer must not undo it
    }
    const wanted = command.updateCredentials;
    if (command.action === 'updateCredentials' && wanted?.credentialId) {
      this.options.credentials.promote(wanted.credentialId, wanted.credentialVersion ?? 0);
    }
    if (this.move(commandId, miner.minerId, ['running', 'observing'], 'succeeded')) {
      log.info({ action: command.action }, 'command succeeded');
    }
  }

  /**
   * Reads the miner every `effectPollMs` until the effect shows or the deadline passes. Not counted against the
   * concurrency limit (a reboot may take minutes to show); a read that fails is just not the effect yet.
   */
  private watch(command: Command, observed: ObservedTarget): void {
    const { commandId, minerId } = observed;
    const log = this.log.child({ commandId, minerId });
    const expectation = expectationFor(command);
    const tick = async () => {
      if (this.stopped) return;
      const miner = this.options.inventory.get(minerId);
      const seen = miner !== undefined && (await this.looksDone(command, miner, expectation, observed));
      if (this.stopped) return;
      if (seen && miner) {
        this.succeeded(command, miner, log);
        return;
      }
      const leftMs = observed.untilMs - this.now();
      if (leftMs <= 0) {
        // The new login stays pending, now as a fallback: the miner may yet have taken it.
        const wanted = command.updateCredentials;
        if (wanted?.credentialId) {
          this.options.credentials.claim(wanted.credentialId, wanted.credentialVersion ?? 0, null);
        }
        const timedOut = this.move(commandId, minerId, ['observing'], 'timed_out', {
          errorCode: 'COMMAND_EFFECT_TIMEOUT',
          message: `the miner accepted the command but its effect was not seen within ${Math.round((observed.untilMs - observed.actedMs) / 1000)} s`,
        });
        if (timedOut) log.warn({ action: command.action }, 'effect not seen in time');
        return;
      }
      this.later(() => void tick(), Math.min(this.effectPollMs, leftMs));
    };
    this.later(() => void tick(), 0);
  }

  private async looksDone(
    command: Command,
    miner: InventoryMiner,
    expectation: ReturnType<typeof expectationFor>,
    observed: ObservedTarget,
  ): Promise<boolean> {
    const target = this.controlTarget(miner);
    try {
      if (expectation.kind === 'login') {
        const wanted = command.updateCredentials;
        const next = this.options.credentials.version(
          wanted?.credentialId ?? '',
          wanted?.credentialVersion ?? 0,
        );
        if (next === undefined) return false;
        await this.options.observer.checkLogin(target, this.logins.open(next));
        return true;
      }
      const reading = await this.options.observer.read(
        target,
        this.logins.current(miner.minerId, miner.driver),
      );
      return effectSeen(expectation, reading, observed.actedMs, this.now(), observed.baselineUptimeS);
    } catch {
      return false; // down (rebooting), busy or refusing: not the effect yet
    }
  }

  /** Turns a timed LED off at its time (at once when overdue, e.g. after a restart), then forgets the timer. */
  private ledOffAt(timer: LedTimer): void {
    this.later(
      () => {
        // Cleared or replaced meanwhile (the LED was set again): this timer no longer decides.
        if (!this.options.ledTimers.current(timer)) return;
        const miner = this.options.inventory.get(timer.minerId);
        const log = this.log.child({ commandId: timer.commandId, minerId: timer.minerId });
        if (miner === undefined) {
          this.options.ledTimers.done(timer);
          return;
        }
        const target = this.controlTarget(miner);
        this.logins
          .withLogin(miner.minerId, miner.driver, (login) =>
            this.options.control(target, { kind: 'led', on: false }, login),
          )
          .then(
            () => log.info('LED turned off after its duration'),
            (error: unknown) =>
              log.warn(
                { reason: scrubSecrets(error instanceof Error ? error.message : String(error)) },
                'could not turn the LED off',
              ),
          )
          .finally(() => this.options.ledTimers.done(timer));
      },
      Math.max(0, timer.offAtMs - this.now()),
    );
  }

  /** A timer the executor owns: dropped by stop(), never keeping the process alive. */
  private later(run: () => void, delayMs: number): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
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
      const rows = journal.unreported(REPORT_WINDOW);
      if (rows.length === 0) return;
      // A window of updates in flight at once: QoS 1 on one connection keeps their order, and waiting for each
      // PUBACK in turn made a 5,000-miner command's 15,000 updates take longer than the miners did. Only the
      // prefix the broker took is marked; a copy resent after a gap is harmless (the cloud never moves back).
      const taken = await Promise.all(rows.map((row) => channel.publish('command-update', this.update(row))));
      for (const [i, row] of rows.entries()) {
        if (!taken[i]) return; // not connected: the rest goes on the next connection
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
