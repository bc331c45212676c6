import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';

// OIDs of the PostgreSQL types node-postgres hands back as strings by default.
const INT8_OID = 20;
const NUMERIC_OID = 1700;

/**
 * bigint columns hold millisecond times, counters and MH/s, all far below 2^53, and count(*) is a bigint too:
 * read them as numbers so both dialects return the same row shapes. Numeric (from avg/sum) becomes a float.
 */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8_OID || oid === NUMERIC_OID) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format ?? 'text');
  }) as typeof pg.types.getTypeParser,
};

export interface PostgresOptions {
  /** Every table lives in this schema (search_path); tests give each run its own. Default: public. */
  schema?: string;
  /** Pool size; the default suits one API instance on a small box. */
  maxConnections?: number;
}

/** The scale-out database: a pool on `url` (postgres://user:pass@host:port/db). */
export function openPostgres(url: string, options: PostgresOptions = {}): Kysely<Database> {
  if (options.schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(options.schema)) {
    throw new Error(`not a plain PostgreSQL schema name: ${JSON.stringify(options.schema)}`);
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    types,
    ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
  });
  // An idle client losing its connection (server restart) must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
