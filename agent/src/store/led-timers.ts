import type Database from 'better-sqlite3';

// LEDs lit for a while (SetLed with a duration): when each goes off again, journaled, so a restart in between still
// turns it off — at once if its time has passed meanwhile.

export interface LedTimer {
  minerId: string;
  offAtMs: number;
  /** The command that lit it. */
  commandId: string;
}

export class LedTimers {
  private readonly statements;

  constructor(db: Database.Database) {
    this.statements = {
      set: db.prepare<[string, number, string]>(
        `INSERT INTO led_timer (miner_id, off_at_ms, command_id) VALUES (?, ?, ?)
         ON CONFLICT (miner_id) DO UPDATE SET off_at_ms = excluded.off_at_ms, command_id = excluded.command_id`,
      ),
      clear: db.prepare<[string]>('DELETE FROM led_timer WHERE miner_id = ?'),
      clearIf: db.prepare<[string, number]>('DELETE FROM led_timer WHERE miner_id = ? AND off_at_ms = ?'),
      current: db.prepare<[string, number], { one: number }>(
        'SELECT 1 AS one FROM led_timer WHERE miner_id = ? AND off_at_ms = ?',
      ),
      all: db.prepare<[], { miner_id: string; off_at_ms: number; command_id: string }>(
        'SELECT miner_id, off_at_ms, command_id FROM led_timer ORDER BY off_at_ms',
      ),
    };
  }

  /** The LED of `minerId` goes off at `offAtMs` (replacing any earlier timer of that miner). */
  set(timer: LedTimer): void {
    this.statements.set.run(timer.minerId, timer.offAtMs, timer.commandId);
  }

  /** No timer for the miner any more (its LED was set on for good, or off). */
  clear(minerId: string): void {
    this.statements.clear.run(minerId);
  }

  /** Done with this timer, unless a newer one replaced it meanwhile. */
  done(timer: LedTimer): void {
    this.statements.clearIf.run(timer.minerId, timer.offAtMs);
  }

  /** Whether this timer still stands (not cleared or replaced since). */
  current(timer: LedTimer): boolean {
    return this.statements.current.get(timer.minerId, timer.offAtMs) !== undefined;
  }

  all(): LedTimer[] {
    return this.statements.all
      .all()
      .map((row) => ({ minerId: row.miner_id, offAtMs: row.off_at_ms, commandId: row.command_id }));
  }
}
