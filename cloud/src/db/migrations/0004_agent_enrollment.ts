import type { Kysely } from 'kysely';

// Agent enrollment: one-time, expiring tokens per site, exchanged by an agent for its broker credentials.
// Tokens and agent passwords are stored only as SHA-256 hashes (they are 256-bit random values, so a fast hash
// is enough and keeps the broker's per-connection check cheap). Agents seen before enrollment existed keep
// their rows but have no password, so they can no longer connect until they are enrolled again.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('enrollment_token')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenant.id'))
    .addColumn('site_id', 'text', (c) => c.notNull().references('site.id'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .addColumn('agent_id', 'text')
    .execute();
  await db.schema
    .createIndex('enrollment_token_tenant_idx')
    .on('enrollment_token')
    .columns(['tenant_id', 'site_id'])
    .execute();

  await db.schema.alterTable('agent').addColumn('mqtt_password_hash', 'text').execute();
  await db.schema.alterTable('agent').addColumn('signing_public_key', 'text').execute();
  await db.schema.alterTable('agent').addColumn('box_public_key', 'text').execute();
  await db.schema.alterTable('agent').addColumn('enrolled_at', 'bigint').execute();
  await db.schema.alterTable('agent').addColumn('revoked_at', 'bigint').execute();
}
