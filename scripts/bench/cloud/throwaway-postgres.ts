// A throwaway database on the PostgreSQL server DATABASE_URL names, for the cloud benchmarks: created empty,
// handed over as a URL, dropped afterwards whatever happens.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Runs `use` with the URL of a fresh database and the server's version; prints the skip without DATABASE_URL. */
export async function withThrowawayPostgres(
  prefix: string,
  use: (url: string, serverVersion: string) => Promise<void>,
): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (url === undefined || url === '') {
    console.log('   PostgreSQL: skipped (DATABASE_URL is not set)');
    return;
  }
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  try {
    const target = new URL(url);
    target.pathname = `/${name}`;
    const version = (await admin.query('show server_version')).rows[0]?.server_version ?? '?';
    await use(target.toString(), String(version));
  } finally {
    await admin.query(`drop database ${name} with (force)`);
    await admin.end();
  }
}
