import type { Kysely } from 'kysely';

// Events: a transactional outbox (written in the same transaction as the business change, relayed to Redis
// Streams afterwards) and an inbox per consumer group (which event ids it has processed, so redelivery is
// harmless).

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('event_outbox')
    // UUIDv7, so ids sort by creation time and the relay sends in order.
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('tenant_id', 'text')
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    // Set by the relay that took the row and until when that claim holds (another relay waits it out).
    .addColumn('claim_token', 'text')
    .addColumn('claimed_until', 'bigint')
    .addColumn('relayed_at', 'bigint')
    .execute();
  // The relay's scan: pending rows in id order.
  await db.schema
    .createIndex('event_outbox_pending_idx')
    .on('event_outbox')
    .columns(['relayed_at', 'id'])
    .execute();

  await db.schema
    .createTable('event_inbox')
    .addColumn('consumer', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('processed_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('event_inbox_pk', ['consumer', 'event_id'])
    .execute();
}
