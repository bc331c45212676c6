import type { Db, UserRole } from '../../db/index.js';
import { uuidv7 } from '../../lib/ids.js';

export async function findUserByEmail(db: Db, email: string) {
  return db
    .selectFrom('user')
    .select(['id', 'email', 'password_hash', 'role', 'tenant_id', 'customer_id'])
    .where('email', '=', email)
    .executeTakeFirst();
}

export async function countUsers(db: Db): Promise<number> {
  const row = await db
    .selectFrom('user')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function insertUser(
  db: Db,
  user: {
    id: string;
    tenantId: string;
    customerId: string | null;
    email: string;
    passwordHash: string;
    role: UserRole;
    createdAt: number;
  },
): Promise<void> {
  await db
    .insertInto('user')
    .values({
      id: user.id,
      tenant_id: user.tenantId,
      customer_id: user.customerId,
      email: user.email,
      password_hash: user.passwordHash,
      role: user.role,
      created_at: user.createdAt,
    })
    .execute();
}

/** The first tenant and its first site, creating both ("Default", "Default site") on an empty database. */
export async function ensureDefaultTenant(
  db: Db,
  nowMs: number,
): Promise<{ tenantId: string; siteId: string }> {
  return db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('site')
      .select(['id', 'tenant_id'])
      .orderBy('created_at')
      .orderBy('id')
      .executeTakeFirst();
    if (existing !== undefined) return { tenantId: existing.tenant_id, siteId: existing.id };
    const tenantId = uuidv7(nowMs);
    const siteId = uuidv7(nowMs);
    await trx.insertInto('tenant').values({ id: tenantId, name: 'Default', created_at: nowMs }).execute();
    await trx
      .insertInto('site')
      .values({
        id: siteId,
        tenant_id: tenantId,
        name: 'Default site',
        location: '',
        timezone: 'UTC',
        created_at: nowMs,
      })
      .execute();
    return { tenantId, siteId };
  });
}
