import type { Db } from '../../db/index.js';
import type { MinerModelTable } from '../../db/schema.js';

/** The tenant_id of the shipped catalog's rows. */
export const SHIPPED = '';

export type ModelRow = MinerModelTable;

/** Replaces the shipped catalog by `rows` in one transaction: upserts each, deletes shipped ids no longer listed. */
export async function replaceShippedModels(db: Db, rows: readonly ModelRow[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (const row of rows) {
      const { tenant_id: _t, id: _i, created_at: _c, ...changes } = row;
      await trx
        .insertInto('miner_model')
        .values(row)
        .onConflict((oc) => oc.columns(['tenant_id', 'id']).doUpdateSet(changes))
        .execute();
    }
    let stale = trx.deleteFrom('miner_model').where('tenant_id', '=', SHIPPED);
    if (rows.length > 0)
      stale = stale.where(
        'id',
        'not in',
        rows.map((row) => row.id),
      );
    await stale.execute();
  });
}

/** The shipped rows and the tenant's rows (a tenant row shadows a shipped one with its id; the caller merges). */
export function selectModels(db: Db, tenantId: string): Promise<ModelRow[]> {
  return db
    .selectFrom('miner_model')
    .selectAll()
    .where('tenant_id', 'in', [SHIPPED, tenantId])
    .orderBy('vendor')
    .orderBy('model')
    .orderBy('tenant_id')
    .execute();
}

export function selectModel(db: Db, tenantId: string, id: string): Promise<ModelRow | undefined> {
  return db
    .selectFrom('miner_model')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function upsertTenantModel(db: Db, row: ModelRow): Promise<void> {
  const { tenant_id: _t, id: _i, created_at: _c, ...changes } = row;
  await db
    .insertInto('miner_model')
    .values(row)
    .onConflict((oc) => oc.columns(['tenant_id', 'id']).doUpdateSet(changes))
    .execute();
}

/** Deletes a tenant's own row; true when there was one. The shipped catalog is never deleted this way. */
export async function deleteTenantModel(db: Db, tenantId: string, id: string): Promise<boolean> {
  if (tenantId === SHIPPED) return false;
  const result = await db
    .deleteFrom('miner_model')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
