import { type Kysely, PostgresAdapter, sql } from 'kysely';

// Miner IP addresses encrypted at rest (issue #6; features/miners/ip.ts has the scheme). miner.ip keeps its
// place but holds '' from now on; the address moves to ip_enc (sealed), ip_index and ip_net_index (blind
// indexes of the address and its subnet) and ip_host (the host part, for rack order within a subnet).
// A migration has no keys, so rows stored before it are sealed at the app's start (miners/ip-jobs.ts),
// which then blanks miner.ip. ip_sort (0007) ordered by the clear address and goes with it.
// (miner.driver and miner.capabilities, which the ingest also fills, come from 0013_commands.)

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('miner')
    .addColumn('ip_enc', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema
    .alterTable('miner')
    .addColumn('ip_index', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema
    .alterTable('miner')
    .addColumn('ip_net_index', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema
    .alterTable('miner')
    .addColumn('ip_host', 'integer', (c) => c.notNull().defaultTo(-1))
    .execute();
  await db.schema.dropIndex('miner_tenant_ip_sort_idx').execute();
  await db.schema.alterTable('miner').dropColumn('ip_sort').execute();
  // The `ip` sort leads with the site, and keyset pages compare row values, which NULL breaks: site_key is the
  // site id or ''. A plain (generated) column rather than an expression index, because SQLite turns a row-value
  // comparison into an index range only over plain columns (it scanned from the tenant's first row instead).
  // SQLite can only add a VIRTUAL generated column, PostgreSQL only a STORED one (as 0007 did).
  const generated = db.getExecutor().adapter instanceof PostgresAdapter ? sql`stored` : sql`virtual`;
  await sql`alter table miner add column site_key text generated always as (coalesce(site_id, '')) ${generated}`.execute(
    db,
  );
  await db.schema
    .createIndex('miner_tenant_site_ip_idx')
    .on('miner')
    .columns(['tenant_id', 'site_key', 'ip_net_index', 'ip_host', 'agent_id', 'id'])
    .execute();
  // Lookups by address and by subnet within a tenant.
  await db.schema
    .createIndex('miner_tenant_ip_index_idx')
    .on('miner')
    .columns(['tenant_id', 'ip_index'])
    .execute();
  await db.schema
    .createIndex('miner_tenant_ip_net_idx')
    .on('miner')
    .columns(['tenant_id', 'ip_net_index'])
    .execute();
  // Rows the start-up job still has to seal.
  await sql`create index miner_plain_ip_idx on miner (agent_id, id) where ip <> ''`.execute(db);
}
