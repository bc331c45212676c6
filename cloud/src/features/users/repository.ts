import type { Db } from '../../db/index.js';
import type { UserRole } from '../../db/schema.js';

const USER_COLUMNS = ['id', 'email', 'role', 'customer_id', 'disabled_at', 'created_at'] as const;

/** A tenant's users in id (creation) order, after `afterId` when given. */
export async function listTenantUsers(
  db: Db,
  tenantId: string,
  page: { afterId: string | undefined; limit: number },
) {
  let query = db.selectFrom('user').select(USER_COLUMNS).where('tenant_id', '=', tenantId);
  if (page.afterId !== undefined) query = query.where('id', '>', page.afterId);
  return query.orderBy('id').limit(page.limit).execute();
}

export async function findTenantUser(db: Db, tenantId: string, id: string) {
  return db
    .selectFrom('user')
    .select(USER_COLUMNS)
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function emailTaken(db: Db, email: string): Promise<boolean> {
  return (
    (await db.selectFrom('user').select('id').where('email', '=', email).executeTakeFirst()) !== undefined
  );
}

export async function updateTenantUser(
  db: Db,
  tenantId: string,
  id: string,
  changes: { role: UserRole; customer_id: string | null; disabled_at: number | null },
): Promise<void> {
  await db.updateTable('user').set(changes).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}
