import { type Kysely, type MigrationResultSet, Migrator, PostgresAdapter, sql } from 'kysely';
import { migrations } from './migrations/index.js';
import { openPostgres, type PostgresOptions } from './postgres.js';
import type { Database } from './schema.js';
import { openSqlite } from './sqlite.js';

export type { Database, MinerDetail, MinerTable, UserRole } from './schema.js';
export { DATABASE_FILE, type SqliteHandle, sqliteHandleOf } from './sqlite.js';
export type Db = Kysely<Database>;

export interface DatabaseTarget {
  /** Holds cloud.sqlite when no databaseUrl is given. */
  dataDir: string;
  /** postgres://… switches to PostgreSQL. */
  databaseUrl?: string | undefined;
  postgres?: PostgresOptions;
}

/** The one place a dialect is chosen: PostgreSQL when a URL is configured, SQLite in dataDir otherwise. */
export function openDatabase(target: DatabaseTarget): Db {
  if (target.databaseUrl !== undefined) return openPostgres(target.databaseUrl, target.postgres);
  return openSqlite(target.dataDir);
}

export type Dialect = 'sqlite' | 'postgres';

/** Which dialect a Db speaks, for the few queries that must differ (kept in repositories, never in routes). */
export function dialectOf(db: Db): Dialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/** Applies every pending migration; throws the first failure. */
export async function migrateToLatest(db: Db): Promise<MigrationResultSet> {
  // On PostgreSQL, name the schema the connection works in: without it Kysely looks for its migration tables
  // in any schema, finds another schema's (parallel test runs, a second install), skips creating its own and
  // then fails with 'relation kysely_migration_lock does not exist'.
  const schema =
    dialectOf(db) === 'postgres'
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema
      : undefined;
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
  const result = await migrator.migrateToLatest();
  if (result.error !== undefined) {
    throw new Error('database migration failed', { cause: result.error });
  }
  return result;
}
