import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, type MigrationResultSet, Migrator, SqliteDialect } from 'kysely';
import { migrations } from './migrations/index.js';
import type { Database } from './schema.js';

export type { Database, MinerDetail, MinerTable, UserRole } from './schema.js';
export type Db = Kysely<Database>;

export const DATABASE_FILE = 'cloud.sqlite';

/**
 * Opens the cloud database in `dataDir`. The one place a dialect is chosen (PostgreSQL comes later).
 * WAL lets readers run beside the ingest writer; synchronous=FULL because a telemetry ack promises the agent
 * its samples survive a power cut (one commit per batch keeps that affordable).
 */
export function openDatabase(dataDir: string): Db {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const sqlite = new SQLite(join(dataDir, DATABASE_FILE));
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
}

/** Applies every pending migration; throws the first failure. */
export async function migrateToLatest(db: Db): Promise<MigrationResultSet> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const result = await migrator.migrateToLatest();
  if (result.error !== undefined) {
    throw new Error('database migration failed', { cause: result.error });
  }
  return result;
}
