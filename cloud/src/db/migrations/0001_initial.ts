import type { Kysely } from 'kysely';

// Portable DDL only (SQLite now, PostgreSQL later): bigint for ms times and counters, integer flags, text JSON.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('user')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('agent')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('epoch', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('online', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('hostname', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('agent_version', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('last_seen_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  // One delivery stream per agent session epoch: every sample of it with seq <= up_to_seq is stored.
  await db.schema
    .createTable('telemetry_stream')
    .addColumn('agent_id', 'text', (c) => c.notNull().references('agent.id'))
    .addColumn('epoch', 'integer', (c) => c.notNull())
    .addColumn('up_to_seq', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('telemetry_stream_pk', ['agent_id', 'epoch'])
    .execute();

  // A miner id is chosen by its agent (e.g. ip-10.0.0.5) and unique only within that agent: two sites can
  // both have a 10.0.0.5. So the agent leads every miner key, which also serves per-agent lookups.
  await db.schema
    .createTable('miner')
    .addColumn('agent_id', 'text', (c) => c.notNull().references('agent.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('ip', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('mac', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('serial', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('vendor', 'text', (c) => c.notNull().defaultTo('unknown'))
    .addColumn('model', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('firmware', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('hostname', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('first_seen_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('miner_pk', ['agent_id', 'id'])
    .execute();

  await db.schema
    .createTable('miner_latest')
    .addColumn('agent_id', 'text', (c) => c.notNull())
    .addColumn('miner_id', 'text', (c) => c.notNull())
    .addColumn('time_ms', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('hashrate_mhs', 'bigint', (c) => c.notNull())
    .addColumn('hashrate_avg_mhs', 'bigint', (c) => c.notNull())
    .addColumn('hashrate_expected_mhs', 'bigint', (c) => c.notNull())
    .addColumn('power_w', 'integer')
    .addColumn('uptime_s', 'integer', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('poll_error', 'text', (c) => c.notNull().defaultTo(''))
    .addPrimaryKeyConstraint('miner_latest_pk', ['agent_id', 'miner_id'])
    .addForeignKeyConstraint(
      'miner_latest_miner_fk',
      ['agent_id', 'miner_id'],
      'miner',
      ['agent_id', 'id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('miner_latest').execute();
  await db.schema.dropTable('miner').execute();
  await db.schema.dropTable('telemetry_stream').execute();
  await db.schema.dropTable('agent').execute();
  await db.schema.dropTable('user').execute();
}
