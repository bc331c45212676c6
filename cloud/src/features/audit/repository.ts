import { sql } from 'kysely';
import { type Db, dialectOf } from '../../db/index.js';
import type { AuditLogTable } from '../../db/schema.js';
import { type AuditFields, chainHash, GENESIS_HASH } from './chain.js';

/** Any fixed number: the PostgreSQL advisory lock that orders appends across connections and instances. */
const APPEND_LOCK = 0x4a75d17;

/**
 * Appends one row at the end of the chain. The append is serialised: SQLite runs one transaction at a time on
 * its one connection; PostgreSQL takes a transaction-scoped advisory lock, so instances sharing the database
 * never fork the chain.
 */
export async function appendAuditRow(db: Db, entry: Omit<AuditFields, 'seq'>): Promise<AuditLogTable> {
  return db.transaction().execute(async (trx) => {
    if (dialectOf(db) === 'postgres') await sql`select pg_advisory_xact_lock(${APPEND_LOCK})`.execute(trx);
    const last = await trx
      .selectFrom('audit_log')
      .select(['seq', 'hash'])
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    const fields: AuditFields = { ...entry, seq: Number(last?.seq ?? 0) + 1 };
    const prevHash = last?.hash ?? GENESIS_HASH;
    const row: AuditLogTable = { ...fields, prev_hash: prevHash, hash: chainHash(prevHash, fields) };
    await trx.insertInto('audit_log').values(row).execute();
    return row;
  });
}

/** A tenant's rows, newest first, strictly before `beforeSeq` when given. */
export async function listTenantAuditRows(
  db: Db,
  tenantId: string,
  page: { beforeSeq: number | undefined; limit: number },
): Promise<AuditLogTable[]> {
  let query = db.selectFrom('audit_log').selectAll().where('tenant_id', '=', tenantId);
  if (page.beforeSeq !== undefined) query = query.where('seq', '<', page.beforeSeq);
  return query.orderBy('seq', 'desc').limit(page.limit).execute();
}

export async function findTenantAuditRow(
  db: Db,
  tenantId: string,
  seq: number,
): Promise<AuditLogTable | undefined> {
  return db
    .selectFrom('audit_log')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('seq', '=', seq)
    .executeTakeFirst();
}

/** Rows of every tenant in chain order, after `afterSeq`: the verifier's pages. */
export async function chainPage(db: Db, afterSeq: number, limit: number): Promise<AuditLogTable[]> {
  return db
    .selectFrom('audit_log')
    .selectAll()
    .where('seq', '>', afterSeq)
    .orderBy('seq', 'asc')
    .limit(limit)
    .execute();
}
