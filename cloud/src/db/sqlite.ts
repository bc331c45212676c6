import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from './schema.js';

export const DATABASE_FILE = 'cloud.sqlite';

export type SqliteHandle = SQLite.Database;

// The better-sqlite3 handle behind each Kysely instance openSqlite made, for the ingest's prepared statements.
const handles = new WeakMap<Kysely<Database>, SqliteHandle>();

/**
 * The better-sqlite3 handle under `db` when openSqlite made it (not for a transaction's Kysely). Whoever uses it
 * must hold Kysely's connection (`db.connection().execute(...)`), so it never runs inside another caller's open
 * transaction.
 */
export function sqliteHandleOf(db: Kysely<Database>): SqliteHandle | undefined {
  return handles.get(db);
}

/**
 * The single-box database: one SQLite file in `dataDir`. WAL lets readers run beside the ingest writer;
 * synchronous=FULL because a telemetry ack promises the agent its samples survive a power cut (the ingest's
 * group commit shares one fsync between the batches of many agents to keep that affordable).
 */
export function openSqlite(dataDir: string): Kysely<Database> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const sqlite = new SQLite(join(dataDir, DATABASE_FILE));
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // 64 MiB of page cache (default 2 MiB) keeps the hot b-tree pages of the ingest's group commits in memory.
  sqlite.pragma('cache_size = -65536');
  // Checkpoint every ~40 MiB of WAL instead of 4 MiB: pages that every commit rewrites (miner, miner_latest)
  // are copied into the database file once per checkpoint, so fewer checkpoints write (and fsync) far less.
  sqlite.pragma('wal_autocheckpoint = 10000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  handles.set(db, sqlite);
  return db;
}
