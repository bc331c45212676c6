// Runs a test body once per database dialect: SQLite in a temp dir always, PostgreSQL when DATABASE_URL is
// set (CI sets it), each PostgreSQL run in a schema of its own that is dropped afterwards.
import { randomBytes } from 'node:crypto';
import { tempDir } from '@hashinsight/testkit';
import { sql } from 'kysely';
import t, { type Test } from 'tap';
import { type Db, type Dialect, dropSchemaExclusively, migrateToLatest, openDatabase } from '../db/index.js';
import { openPostgres } from '../db/postgres.js';

export const DIALECTS: readonly Dialect[] = ['sqlite', 'postgres'];

/** Why PostgreSQL runs are skipped on this machine, or undefined when they run. */
export const postgresSkip: string | undefined =
  process.env.DATABASE_URL === undefined || process.env.DATABASE_URL === ''
    ? 'DATABASE_URL is not set: PostgreSQL runs are skipped'
    : undefined;

/** An empty database of `dialect` (not migrated), destroyed, and for PostgreSQL dropped, when `t` ends. */
export async function openTestDatabase(t: Test, dialect: Dialect): Promise<Db> {
  if (dialect === 'sqlite') {
    const db = openDatabase({ dataDir: tempDir(t) });
    t.teardown(() => db.destroy());
    return db;
  }
  const url = process.env.DATABASE_URL;
  if (url === undefined) throw new Error(postgresSkip);
  const schema = `test_${randomBytes(6).toString('hex')}`;
  const admin = openPostgres(url, { maxConnections: 1 });
  await sql`create schema ${sql.id(schema)}`.execute(admin);
  const db = openDatabase({ dataDir: '', databaseUrl: url, postgres: { schema } });
  t.teardown(async () => {
    await db.destroy();
    await dropSchemaExclusively(admin, schema);
    await admin.destroy();
  });
  return db;
}

/** A migrated database of `dialect`, gone when `t` ends. */
export async function migratedTestDatabase(t: Test, dialect: Dialect): Promise<Db> {
  const db = await openTestDatabase(t, dialect);
  await migrateToLatest(db);
  return db;
}

/**
 * Declares `name [sqlite]` and `name [postgres]`; the body gets a migrated database of that dialect. The
 * PostgreSQL variant is reported as skipped, with the reason, when DATABASE_URL is not set.
 */
export function testEachDialect(
  name: string,
  body: (t: Test, db: Db, dialect: Dialect) => Promise<void>,
  parent: Test = t,
): void {
  for (const dialect of DIALECTS) {
    const skip = dialect === 'postgres' ? postgresSkip : undefined;
    void parent.test(`${name} [${dialect}]`, skip === undefined ? {} : { skip }, async (t) => {
      await body(t, await migratedTestDatabase(t, dialect), dialect);
    });
  }
}
