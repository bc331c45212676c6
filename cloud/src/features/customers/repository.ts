import type { Db } from '../../db/index.js';
import type { CustomerTable } from '../../db/schema.js';

// Every query names the tenant: a customer id alone never reaches a row of another tenant.

function withCounts(db: Db, tenantId: string) {
  return db
    .selectFrom('customer')
    .where('customer.tenant_id', '=', tenantId)
    .select((eb) => [
      'customer.id',
      'customer.name',
      'customer.contact_email',
      'customer.created_at',
      eb
        .selectFrom('miner')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('miner.customer_id', '=', 'customer.id')
        .where('miner.tenant_id', '=', tenantId)
        .as('miner_count'),
    ]);
}

export type CustomerRow = NonNullable<Awaited<ReturnType<ReturnType<typeof withCounts>['executeTakeFirst']>>>;

export function listCustomers(db: Db, tenantId: string): Promise<CustomerRow[]> {
  return withCounts(db, tenantId).orderBy('customer.name').orderBy('customer.id').execute();
}

export function findCustomer(db: Db, tenantId: string, id: string): Promise<CustomerRow | undefined> {
  return withCounts(db, tenantId).where('customer.id', '=', id).executeTakeFirst();
}

/** Whether `id` is a customer of the tenant (the check behind every assignment). */
export async function customerExists(db: Db, tenantId: string, id: string): Promise<boolean> {
  const row = await db
    .selectFrom('customer')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row !== undefined;
}

export async function insertCustomer(db: Db, customer: CustomerTable): Promise<void> {
  await db.insertInto('customer').values(customer).execute();
}

export async function updateCustomer(
  db: Db,
  tenantId: string,
  id: string,
  changes: Partial<Pick<CustomerTable, 'name' | 'contact_email'>>,
): Promise<boolean> {
  const result = await db
    .updateTable('customer')
    .set(changes)
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Miners assigned to the customer plus its user accounts. */
export async function customerReferences(db: Db, tenantId: string, id: string): Promise<number> {
  const [miners, users] = await Promise.all([
    db
      .selectFrom('miner')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('tenant_id', '=', tenantId)
      .where('customer_id', '=', id)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('user')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('tenant_id', '=', tenantId)
      .where('customer_id', '=', id)
      .executeTakeFirstOrThrow(),
  ]);
  return Number(miners.n) + Number(users.n);
}

export async function deleteCustomer(db: Db, tenantId: string, id: string): Promise<boolean> {
  const result = await db
    .deleteFrom('customer')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}
