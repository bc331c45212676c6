import type Database from 'better-sqlite3';

// The command journal: every command is written here, with one row per target miner, before anything is sent to a
// miner, and each target's state is committed before the next step, together with an update queued for the cloud
// (command_update, deleted once the broker has it). A target found 'running' after a restart was interrupted at an
// unknown point, so it is failed, never run again; queued updates are still sent. Messages that are not authentic
// commands go to command_refusal, so they never occupy a real id.
//
// Once the miner accepted the action the target is 'observing' (still RUNNING for the cloud: no update is queued)
// with the time it acted and the deadline for its effect. A restart resumes watching it, since the action is done
// and only looking remains; it ends succeeded (effect seen) or timed_out.

export type TargetState =
  | 'received'
  | 'running'
  | 'observing'
  | 'succeeded'
  | 'failed'
  | 'rejected'
  | 'expired'
  | 'timed_out'
  | 'cancelled';

/** A target whose action the miner accepted, watched for its effect until `untilMs`. */
export interface ObservedTarget {
  commandId: string;
  minerId: string;
  /** When the action was sent (after the baseline read, if any). */
  actedMs: number;
  untilMs: number;
  /** The miner's uptime read just before the action (reboot, restart), when it could be read. */
  baselineUptimeS?: number;
}

export interface TargetRow {
  commandId: string;
  minerId: string;
  state: TargetState;
  updatedMs: number;
  message: string;
  errorCode: string;
}

/** A state change waiting to be reported, in the order it happened. */
export interface PendingUpdate extends TargetRow {
  id: number;
}

export interface JournaledCommand {
  commandId: string;
  receivedMs: number;
  expiresAtMs: number;
  /** The signed Command exactly as received. */
  payload: Buffer;
  /** 'accepted', or the code it was rejected with. */
  verdict: string;
}

export interface CommandRefusal {
  id: number;
  receivedMs: number;
  commandId: string | null;
  code: string;
  reason: string;
  payload: Buffer;
}

interface TargetDbRow {
  command_id: string;
  miner_id: string;
  state: TargetState;
  updated_ms: number;
  message: string;
  error_code: string;
}

const toTarget = (row: TargetDbRow): TargetRow => ({
  commandId: row.command_id,
  minerId: row.miner_id,
  state: row.state,
  updatedMs: row.updated_ms,
  message: row.message,
  errorCode: row.error_code,
});

/** The longest failure text kept and reported: enough to act on, never a whole reply. */
const MAX_MESSAGE = 500;

export class CommandJournal {
  private readonly statements;

  constructor(private readonly db: Database.Database) {
    this.statements = {
      seen: db.prepare<[string, Uint8Array], { one: number }>(
        'SELECT 1 AS one FROM command WHERE command_id = ? OR nonce = ? LIMIT 1',
      ),
      insertCommand: db.prepare<[string, number, number, Uint8Array, string, Uint8Array]>(
        'INSERT INTO command (command_id, received_ms, expires_at_ms, payload, verdict, nonce) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      insertTarget: db.prepare<[string, string, string, number, string, string]>(
        `INSERT INTO command_target (command_id, miner_id, state, updated_ms, message, error_code, reported)
         VALUES (?, ?, ?, ?, ?, ?, 0)`,
      ),
      refuse: db.prepare<[number, string | null, string, string, Uint8Array]>(
        'INSERT INTO command_refusal (received_ms, command_id, code, reason, payload) VALUES (?, ?, ?, ?, ?)',
      ),
      transition: db.prepare<[string, number, string, string, string, string, string]>(
        `UPDATE command_target SET state = ?, updated_ms = ?, message = ?, error_code = ?, reported = 0
         WHERE command_id = ? AND miner_id = ? AND state IN (SELECT value FROM json_each(?))`,
      ),
      queueUpdate: db.prepare<[string, string]>(
        `INSERT INTO command_update (command_id, miner_id, state, at_ms, message, error_code)
         SELECT command_id, miner_id, state, updated_ms, message, error_code FROM command_target
         WHERE command_id = ? AND miner_id = ?`,
      ),
      unreported: db.prepare<[number], TargetDbRow & { id: number }>(
        `SELECT id, command_id, miner_id, state, at_ms AS updated_ms, message, error_code FROM command_update
         ORDER BY id LIMIT ?`,
      ),
      dropUpdate: db.prepare<[number]>('DELETE FROM command_update WHERE id = ?'),
      markReported: db.prepare<[string, string, string, number]>(
        `UPDATE command_target SET reported = 1
         WHERE command_id = ? AND miner_id = ? AND state = ? AND updated_ms = ?`,
      ),
      pruneCommands: db.prepare<[number]>(
        `DELETE FROM command WHERE expires_at_ms < ?
         AND NOT EXISTS (SELECT 1 FROM command_target t WHERE t.command_id = command.command_id
                         AND t.state IN ('received', 'running', 'observing'))
         AND NOT EXISTS (SELECT 1 FROM command_update u WHERE u.command_id = command.command_id)`,
      ),
      pruneRefusals: db.prepare<[number, number]>(
        `DELETE FROM command_refusal WHERE received_ms < ?
         OR id <= (SELECT max(id) FROM command_refusal) - ?`,
      ),
      observe: db.prepare<[number, number, number | null, string, string]>(
        `UPDATE command_target SET state = 'observing', acted_ms = ?, observe_until_ms = ?, baseline_uptime_s = ?
         WHERE command_id = ? AND miner_id = ? AND state = 'running'`,
      ),
      observing: db.prepare<
        [],
        {
          command_id: string;
          miner_id: string;
          acted_ms: number;
          observe_until_ms: number;
          baseline_uptime_s: number | null;
        }
      >(
        `SELECT command_id, miner_id, acted_ms, observe_until_ms, baseline_uptime_s FROM command_target
         WHERE state = 'observing' ORDER BY observe_until_ms`,
      ),
      running: db.prepare<[], { command_id: string; miner_id: string }>(
        `SELECT command_id, miner_id FROM command_target WHERE state = 'running'`,
      ),
      pending: db.prepare<[], TargetDbRow & { expires_at_ms: number }>(
        `SELECT t.command_id, t.miner_id, t.state, t.updated_ms, t.message, t.error_code, c.expires_at_ms
         FROM command_target t JOIN command c USING (command_id)
         WHERE t.state = 'received' ORDER BY c.received_ms, t.command_id, t.miner_id`,
      ),
      command: db.prepare<
        [string],
        { command_id: string; received_ms: number; expires_at_ms: number; payload: Buffer; verdict: string }
      >('SELECT command_id, received_ms, expires_at_ms, payload, verdict FROM command WHERE command_id = ?'),
      targets: db.prepare<[string], TargetDbRow>(
        `SELECT command_id, miner_id, state, updated_ms, message, error_code FROM command_target
         WHERE command_id = ? ORDER BY miner_id`,
      ),
      refusals: db.prepare<
        [number],
        {
          id: number;
          received_ms: number;
          command_id: string | null;
          code: string;
          reason: string;
          payload: Buffer;
        }
      >(
        'SELECT id, received_ms, command_id, code, reason, payload FROM command_refusal ORDER BY id DESC LIMIT ?',
      ),
    };
  }

  /** True when a command with this id or this nonce was journaled before (a replay). */
  seen(commandId: string, nonce: Uint8Array): boolean {
    return this.statements.seen.get(commandId, nonce) !== undefined;
  }

  /**
   * Journals an authentic command and its targets in one transaction; false (nothing written) when its id or nonce
   * is already there. `targets` carry their first state: received, or rejected/expired for a command refused whole.
   */
  record(
    command: Omit<JournaledCommand, 'payload'> & { payload: Uint8Array; nonce: Uint8Array },
    targets: Array<{ minerId: string; state: TargetState; message?: string; errorCode?: string }>,
  ): boolean {
    return this.db.transaction(() => {
      if (this.seen(command.commandId, command.nonce)) return false;
      this.statements.insertCommand.run(
        command.commandId,
        command.receivedMs,
        command.expiresAtMs,
        command.payload,
        command.verdict,
        command.nonce,
      );
      for (const target of targets) {
        this.statements.insertTarget.run(
          command.commandId,
          target.minerId,
          target.state,
          command.receivedMs,
          (target.message ?? '').slice(0, MAX_MESSAGE),
          target.errorCode ?? '',
        );
        this.statements.queueUpdate.run(command.commandId, target.minerId);
      }
      return true;
    })();
  }

  /** Keeps a message that was not an authentic, new command for this agent, with why. */
  refuse(refusal: Omit<CommandRefusal, 'id'>): void {
    this.statements.refuse.run(
      refusal.receivedMs,
      refusal.commandId,
      refusal.code,
      refusal.reason.slice(0, MAX_MESSAGE),
      refusal.payload,
    );
  }

  /**
   * Moves a target to `to` if it is in one of `from`, committed before returning; the new state is unreported until
   * markReported. False when the target was not in `from` (nothing changed).
   */
  transition(
    commandId: string,
    minerId: string,
    from: readonly TargetState[],
    to: TargetState,
    nowMs: number,
    detail: { message?: string; errorCode?: string } = {},
  ): boolean {
    return this.db.transaction(() => {
      const result = this.statements.transition.run(
        to,
        nowMs,
        (detail.message ?? '').slice(0, MAX_MESSAGE),
        detail.errorCode ?? '',
        commandId,
        minerId,
        JSON.stringify(from),
      );
      if (result.changes !== 1) return false;
      this.statements.queueUpdate.run(commandId, minerId);
      return true;
    })();
  }

  /**
   * The miner accepted the action sent at `actedMs`: the target is watched for its effect until `untilMs`. Not reported
   * (the cloud still sees RUNNING); committed, so a restart resumes watching rather than acting again.
   */
  observe(target: ObservedTarget): boolean {
    const { commandId, minerId, actedMs, untilMs, baselineUptimeS } = target;
    return (
      this.statements.observe.run(actedMs, untilMs, baselineUptimeS ?? null, commandId, minerId).changes === 1
    );
  }

  /** Targets being watched for their effect, the nearest deadline first. */
  observing(): ObservedTarget[] {
    return this.statements.observing.all().map((row) => ({
      commandId: row.command_id,
      minerId: row.miner_id,
      actedMs: row.acted_ms,
      untilMs: row.observe_until_ms,
      ...(row.baseline_uptime_s === null ? {} : { baselineUptimeS: row.baseline_uptime_s }),
    }));
  }

  /** State changes the broker does not have yet, in the order they happened. */
  unreported(limit = 100): PendingUpdate[] {
    return this.statements.unreported.all(limit).map((row) => ({ ...toTarget(row), id: row.id }));
  }

  /** The broker has `update`: it leaves the queue (and the target reads as reported if that is still its state). */
  markReported(update: PendingUpdate): void {
    this.db.transaction(() => {
      this.statements.dropUpdate.run(update.id);
      this.statements.markReported.run(update.commandId, update.minerId, update.state, update.updatedMs);
    })();
  }

  /** After a restart: every target left running is failed as AGENT_RESTARTED (it is never run again). */
  failInterrupted(nowMs: number): number {
    const running = this.statements.running.all();
    for (const target of running) {
      this.transition(target.command_id, target.miner_id, ['running'], 'failed', nowMs, {
        errorCode: 'AGENT_RESTARTED',
        message: 'the agent stopped while the command was running; it was not run again',
      });
    }
    return running.length;
  }

  /**
   * Forgets commands that expired before `expiredBeforeMs` and have nothing left to run or report (a replay of one
   * is refused for its age, see verify.ts), and refusals older than `refusedBeforeMs` or beyond the newest
   * `keepRefusals`. Returns the commands forgotten.
   */
  prune(expiredBeforeMs: number, refusedBeforeMs: number, keepRefusals = 10_000): number {
    return this.db.transaction(() => {
      this.statements.pruneRefusals.run(refusedBeforeMs, keepRefusals);
      return this.statements.pruneCommands.run(expiredBeforeMs).changes;
    })();
  }

  /** Targets journaled but not started (received), oldest command first, with their command's expiry. */
  pending(): Array<TargetRow & { expiresAtMs: number }> {
    return this.statements.pending.all().map((row) => ({ ...toTarget(row), expiresAtMs: row.expires_at_ms }));
  }

  command(commandId: string): JournaledCommand | undefined {
    const row = this.statements.command.get(commandId);
    return row === undefined
      ? undefined
      : {
          commandId: row.command_id,
          receivedMs: row.received_ms,
          expiresAtMs: row.expires_at_ms,
          payload: row.payload,
          verdict: row.verdict,
        };
  }

  targets(commandId: string): TargetRow[] {
    return this.statements.targets.all(commandId).map(toTarget);
  }

  /** The most recent refusals, newest first. */
  refusals(limit = 100): CommandRefusal[] {
    return this.statements.refusals.all(limit).map((row) => ({
      id: row.id,
      receivedMs: row.received_ms,
      commandId: row.command_id,
      code: row.code,
      reason: row.reason,
      payload: row.payload,
    }));
  }
}
