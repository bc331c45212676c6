import type { Db } from '../../db/index.js';
import type { NetworkSnapshotTable } from '../../db/schema.js';

export type SnapshotRow = NetworkSnapshotTable;

export async function insertSnapshot(db: Db, row: SnapshotRow): Promise<void> {
  await db.insertInto('network_snapshot').values(row).execute();
}

export function selectLatestSnapshot(db: Db): Promise<SnapshotRow | undefined> {
  return db
    .selectFrom('network_snapshot')
    .selectAll()
    .orderBy('fetched_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Snapshots fetched in [fromMs, toMs), oldest first, at most `limit`. */
export function selectSnapshots(db: Db, fromMs: number, toMs: number, limit: number): Promise<SnapshotRow[]> {
  return db
    .selectFrom('network_snapshot')
    .selectAll()
    .where('fetched_at', '>=', fromMs)
    .where('fetched_at', '<', toMs)
    .orderBy('fetched_at')
    .orderBy('id')
    .limit(limit)
    .execute();
}
