import { createHash } from 'node:crypto';
import type { AuditLogTable } from '../../db/schema.js';

/** The prev_hash of the first row. */
export const GENESIS_HASH = '0'.repeat(64);

/** A row as hashed: everything but its own hash (prev_hash enters the hash as the chain link). */
export type AuditFields = Omit<AuditLogTable, 'prev_hash' | 'hash'>;

/**
 * The row as one string, fields in a fixed order, so the same row always hashes the same on both dialects
 * (numbers as numbers, absent values as null).
 */
export function canonicalRow(row: AuditFields): string {
  return JSON.stringify([
    row.seq,
    row.at,
    row.tenant_id,
    row.actor_kind,
    row.actor_id,
    row.email,
    row.method,
    row.route,
    row.target_id,
    row.status_code,
    row.outcome,
    row.request_id,
    row.ip,
  ]);
}

/** sha256(prev_hash + canonical row), hex: changing, removing or reordering any row breaks every later link. */
export function chainHash(prevHash: string, row: AuditFields): string {
  return createHash('sha256').update(prevHash).update(canonicalRow(row)).digest('hex');
}
