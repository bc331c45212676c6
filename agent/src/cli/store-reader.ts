import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** Schema step of the store that has the inventory (store/migrations.ts step 2). */
const INVENTORY_SCHEMA = 2;

export class StoreUnavailable extends Error {
  override readonly name = 'StoreUnavailable';
}

/**
 * Opens the agent's store read-only, so `status` and `doctor` work beside a running daemon: WAL lets them read
 * while it writes, and nothing here can change the outbox or run a migration.
 */
export function openStoreReadOnly(dataDir: string): Database.Database {
  const path = join(dataDir, 'agent.sqlite');
  if (!existsSync(path)) {
    throw new StoreUnavailable(`no agent store at ${path}: the agent has not run with this data dir yet`);
  }
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
  } catch (error) {
    throw new StoreUnavailable(`cannot open ${path}: ${(error as Error).message}`);
  }
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version < INVENTORY_SCHEMA) {
    db.close();
    throw new StoreUnavailable(`${path} has schema ${version}; start the agent once to bring it up to date`);
  }
  return db;
}

/** The most recent scan the store records, if any. */
export function lastScan(
  db: Database.Database,
): { startedMs: number; finishedMs: number | null; probed: number; found: number } | undefined {
  return db
    .prepare<[], { startedMs: number; finishedMs: number | null; probed: number; found: number }>(
      `SELECT started_ms AS startedMs, finished_ms AS finishedMs, probed, found
       FROM scan ORDER BY started_ms DESC LIMIT 1`,
    )
    .get();
}
