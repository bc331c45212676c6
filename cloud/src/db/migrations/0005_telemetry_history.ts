import type { Kysely } from 'kysely';

// Telemetry history: one raw row per miner per poll, rollups at 5 min / 1 h / 1 d kept by scheduled jobs, and
// the hours whose rollups must be recomputed because samples arrived after the jobs' windows had passed them.

export async function up(db: Kysely<unknown>): Promise<void> {
  // Keyed for range reads of one miner. No foreign key to miner: the ingest writes thousands of rows a second
  // and the miner row is upserted in the same transaction anyway; retention deletes these rows on its own.
  // A replayed sample has the same (agent, miner, time) and is dropped by ON CONFLICT DO NOTHING.
  await db.schema
    .createTable('miner_sample')
    .addColumn('agent_id', 'text', (c) => c.notNull())
    .addColumn('miner_id', 'text', (c) => c.notNull())
    .addColumn('time_ms', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('hashrate_mhs', 'bigint', (c) => c.notNull())
    .addColumn('hashrate_avg_mhs', 'bigint', (c) => c.notNull())
    .addColumn('hashrate_expected_mhs', 'bigint', (c) => c.notNull())
    .addColumn('power_w', 'integer')
    .addColumn('chip_temp_max_dc', 'integer')
    .addColumn('board_temp_max_dc', 'integer')
    .addColumn('fan_min_rpm', 'integer')
    .addColumn('fan_max_rpm', 'integer')
    .addColumn('accepted', 'bigint', (c) => c.notNull())
    .addColumn('rejected', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('miner_sample_pk', ['agent_id', 'miner_id', 'time_ms'])
    .execute();
  // Retention and the rollup jobs scan by time across all miners.
  await db.schema.createIndex('miner_sample_time_idx').on('miner_sample').column('time_ms').execute();

  // Sums and counts rather than averages, so a coarser rollup is computed exactly from finer ones.
  await db.schema
    .createTable('miner_rollup')
    .addColumn('resolution', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'text', (c) => c.notNull())
    .addColumn('miner_id', 'text', (c) => c.notNull())
    .addColumn('bucket_ms', 'bigint', (c) => c.notNull())
    .addColumn('sample_count', 'integer', (c) => c.notNull())
    .addColumn('online_count', 'integer', (c) => c.notNull())
    .addColumn('hashrate_sum_mhs', 'bigint', (c) => c.notNull())
    .addColumn('hashrate_expected_sum_mhs', 'bigint', (c) => c.notNull())
    .addColumn('power_sum_w', 'bigint', (c) => c.notNull())
    .addColumn('power_count', 'integer', (c) => c.notNull())
    .addColumn('chip_temp_max_dc', 'integer')
    .addColumn('board_temp_max_dc', 'integer')
    .addPrimaryKeyConstraint('miner_rollup_pk', ['resolution', 'agent_id', 'miner_id', 'bucket_ms'])
    .execute();
  await db.schema
    .createIndex('miner_rollup_time_idx')
    .on('miner_rollup')
    .columns(['resolution', 'bucket_ms'])
    .execute();

  await db.schema
    .createTable('telemetry_rollup_dirty')
    .addColumn('hour_ms', 'bigint', (c) => c.primaryKey())
    // Bumped on every new mark, so a job deletes only the mark it has seen (see features/telemetry).
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('telemetry_rollup_dirty').execute();
  await db.schema.dropTable('miner_rollup').execute();
  await db.schema.dropTable('miner_sample').execute();
}
