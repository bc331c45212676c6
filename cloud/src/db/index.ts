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
export function migrateToLatest(db: Db): Promise<MigrationResultSet> {
  return migrate(db, undefined);
}

/** Applies the pending migrations up to and including `name` (tests that start from an older schema). */
export function migrateTo(db: Db, name: string): Promise<MigrationResultSet> {
  return migrate(db, name);
}

async function migrate(db: Db, target: string | undefined): Promise<MigrationResultSet> {
  if (dialectOf(db) === 'sqlite') return runMigrations(db, undefined, target);
  // On PostgreSQL, name the schema the connection works in: without it Kysely looks for its migration tables
  // in any schema, finds another schema's (parallel test runs, a second install), skips creating its own and
  // then fails with 'relation kysely_migration_lock does not exist'. The advisory lock, held on a connection
  // of its own, keeps migrations of every schema in this server apart from each other and from
  // dropSchemaExclusively: Kysely's catalogue reads fail on a schema dropped while they run.
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  return db.connection().execute(async (lockConnection) => {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`.execute(lockConnection);
    try {
      return await runMigrations(db, rows[0]?.schema, target);
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`.execute(lockConnection);
    }
  });
}

/** An arbitrary constant shared by every HashInsight process on one PostgreSQL server. */
export const MIGRATION_LOCK_KEY = 7_300_421_001;

/** Drops a PostgreSQL schema without racing another schema's migration (tests' throwaway schemas). */
export async function dropSchemaExclusively(db: Db, schema: string): Promise<void> {
  await db.connection().execute(async (connection) => {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`.execute(connection);
    try {
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(connection);
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`.execute(connection);
    }
  });
}

async function runMigrations(
  db: Db,
  schema: string | undefined,
  target: string | undefined,
): Promise<MigrationResultSet> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
  const result = await (target === undefined ? migrator.migrateToLatest() : migrator.migrateTo(target));
  if (result.error !== undefined) {
    throw new Error('database migration failed', { cause: result.error });
  }
  return result;
}
