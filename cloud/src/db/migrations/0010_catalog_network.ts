import type { Kysely } from 'kysely';

// The miner model catalog and the network snapshots the profitability calculator reads.
// miner_model holds the shipped catalog (tenant_id '', seeded from data/miner-models.csv at every start) and
// each tenant's own entries (tenant_id set), which add models or override a shipped one with the same id.
// network_snapshot keeps every good set of network figures fetched, so an offline cloud serves the last one and
// historical replay can walk them.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('miner_model')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    // A slug of vendor and model (bitmain-antminer-s19-pro), stable across renames of the display name.
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('vendor', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('hashrate_th', 'double precision', (c) => c.notNull())
    .addColumn('power_w', 'double precision', (c) => c.notNull())
    .addColumn('efficiency_j_th', 'double precision', (c) => c.notNull())
    .addColumn('release_year', 'integer')
    .addColumn('cooling', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('miner_model_pk', ['tenant_id', 'id'])
    .execute();

  await db.schema
    .createTable('network_snapshot')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('fetched_at', 'bigint', (c) => c.notNull())
    .addColumn('btc_price_usd', 'double precision', (c) => c.notNull())
    .addColumn('difficulty', 'double precision', (c) => c.notNull())
    .addColumn('block_height', 'bigint', (c) => c.notNull())
    .addColumn('block_subsidy_btc', 'double precision', (c) => c.notNull())
    .addColumn('avg_fees_btc', 'double precision', (c) => c.notNull())
    // The sources that supplied the figures, e.g. "mempool.space,coingecko".
    .addColumn('source', 'text', (c) => c.notNull())
    .execute();
  // The latest snapshot, and replay over a time range.
  await db.schema
    .createIndex('network_snapshot_fetched_idx')
    .on('network_snapshot')
    .column('fetched_at')
    .execute();
}
