import { type Kysely, sql } from 'kysely';

// Tenancy core: a tenant is a hosting company; it owns sites (where agents run) and customers (its clients).
// Every user, agent and miner carries its tenant_id so each tenant-scoped query filters on one column.
// Existing rows (a single-box install from before tenancy) move into one default tenant and site.
// Forward-only, like every later migration: SQLite cannot drop a column a foreign key uses; restore a backup
// to go back.

export const DEFAULT_TENANT_NAME = 'Default';
export const DEFAULT_SITE_NAME = 'Default site';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('tenant')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('site')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenant.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('location', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('timezone', 'text', (c) => c.notNull().defaultTo('UTC'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('site_tenant_name_unique', ['tenant_id', 'name'])
    .execute();

  await db.schema
    .createTable('customer')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenant.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('contact_email', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('customer_tenant_name_unique', ['tenant_id', 'name'])
    .execute();

  // Added columns stay nullable (SQLite cannot add a NOT NULL column without a default); the services always
  // set them, and the backfill below leaves none empty.
  await db.schema
    .alterTable('user')
    .addColumn('tenant_id', 'text', (c) => c.references('tenant.id'))
    .execute();
  await db.schema
    .alterTable('user')
    .addColumn('customer_id', 'text', (c) => c.references('customer.id'))
    .execute();
  await db.schema
    .alterTable('agent')
    .addColumn('tenant_id', 'text', (c) => c.references('tenant.id'))
    .execute();
  await db.schema
    .alterTable('agent')
    .addColumn('site_id', 'text', (c) => c.references('site.id'))
    .execute();
  await db.schema
    .alterTable('miner')
    .addColumn('tenant_id', 'text', (c) => c.references('tenant.id'))
    .execute();
  await db.schema
    .alterTable('miner')
    .addColumn('site_id', 'text', (c) => c.references('site.id'))
    .execute();
  await db.schema
    .alterTable('miner')
    .addColumn('customer_id', 'text', (c) => c.references('customer.id'))
    .execute();

  await db.schema.createIndex('user_tenant_idx').on('user').column('tenant_id').execute();
  await db.schema.createIndex('agent_tenant_idx').on('agent').columns(['tenant_id', 'site_id']).execute();
  await db.schema
    .createIndex('miner_tenant_site_idx')
    .on('miner')
    .columns(['tenant_id', 'site_id'])
    .execute();
  await db.schema
    .createIndex('miner_tenant_customer_idx')
    .on('miner')
    .columns(['tenant_id', 'customer_id'])
    .execute();

  await backfillDefaultTenant(db);
}

async function backfillDefaultTenant(db: Kysely<unknown>): Promise<void> {
  const { rows } = await sql<{ n: number }>`select count(*) as n from ${sql.table('user')}`.execute(db);
  if (Number(rows[0]?.n ?? 0) === 0) return;
  const now = Date.now();
  // Fixed ids: the migration runs once per database and nothing else creates these two rows.
  const tenantId = '00000000-0000-7000-8000-000000000001';
  const siteId = '00000000-0000-7000-8000-000000000002';
  await sql`insert into tenant (id, name, created_at) values (${tenantId}, ${DEFAULT_TENANT_NAME}, ${now})`.execute(
    db,
  );
  await sql`insert into site (id, tenant_id, name, created_at) values (${siteId}, ${tenantId}, ${DEFAULT_SITE_NAME}, ${now})`.execute(
    db,
  );
  await sql`update ${sql.table('user')} set tenant_id = ${tenantId}`.execute(db);
  await sql`update agent set tenant_id = ${tenantId}, site_id = ${siteId}`.execute(db);
  await sql`update miner set tenant_id = ${tenantId}, site_id = ${siteId}`.execute(db);
  // The roles of the original design replace the placeholder ones of the walking skeleton.
  await sql`update ${sql.table('user')} set role = 'admin' where role = 'operator'`.execute(db);
  await sql`update ${sql.table('user')} set role = 'guest' where role = 'viewer'`.execute(db);
}
