import type { Kysely } from 'kysely';

// Portal Lite lists one customer's miners in (agent_id, id) order, a page at a time: an index led by the tenant
// and the customer and ending in that order makes each page one index range however large the tenant's fleet is.
// It replaces 0002's (tenant_id, customer_id) index, of which it is an extension.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('miner_tenant_customer_order_idx')
    .on('miner')
    .columns(['tenant_id', 'customer_id', 'agent_id', 'id'])
    .execute();
  await db.schema.dropIndex('miner_tenant_customer_idx').execute();
}
