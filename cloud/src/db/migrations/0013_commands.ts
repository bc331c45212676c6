import type { Kysely } from 'kysely';

// Remote commands (issue #6). A command is what an operator asked for; it fans out into one command_target per
// miner, each with its own lifecycle (features/commands/lifecycle.ts) and a row version for compare-and-swap
// updates from several cloud instances. Every message sent to an agent is a command_dispatch with a fresh wire id
// and nonce (agents report updates under that id). Idempotency keys live 24 h. params never hold a secret: pool
// passwords and new logins go to the credential vault and only their ids are stored here.
// miner.driver and miner.capabilities (from the agent's MinerIdentity) let commands be checked against what each
// miner's driver can do before anything is stored.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('command')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenant.id'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('targets', 'text', (c) => c.notNull())
    .addColumn('target_count', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_reason', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('not_before', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('effect_timeout_s', 'integer', (c) => c.notNull())
    .addColumn('canonical_hash', 'text', (c) => c.notNull())
    .addColumn('requires_approval', 'integer', (c) => c.notNull())
    .addColumn('approval_reason', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('approved_by', 'text')
    .addColumn('approved_at', 'bigint')
    .addColumn('approved_hash', 'text')
    .addColumn('rollout_per_minute', 'integer', (c) => c.notNull())
    .addColumn('abort_threshold_pct', 'integer', (c) => c.notNull())
    .addColumn('abort_min_executed', 'integer', (c) => c.notNull())
    .addColumn('schedule_id', 'text')
    .addColumn('idempotency_key', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('finished_at', 'bigint')
    .execute();
  // The list (newest first per tenant) and the dispatcher (live commands that are due).
  await db.schema.createIndex('command_tenant_idx').on('command').columns(['tenant_id', 'id']).execute();
  await db.schema.createIndex('command_status_idx').on('command').columns(['status', 'not_before']).execute();

  await db.schema
    .createTable('command_target')
    .addColumn('command_id', 'text', (c) => c.notNull().references('command.id').onDelete('cascade'))
    .addColumn('agent_id', 'text', (c) => c.notNull())
    .addColumn('miner_id', 'text', (c) => c.notNull())
    .addColumn('site_id', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('error_code', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('credential_id', 'text')
    .addColumn('credential_version', 'integer')
    .addColumn('dispatch_id', 'text')
    .addColumn('queued_at', 'bigint', (c) => c.notNull())
    .addColumn('dispatched_at', 'bigint')
    .addColumn('received_at', 'bigint')
    .addColumn('started_at', 'bigint')
    .addColumn('finished_at', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('command_target_pk', ['command_id', 'agent_id', 'miner_id'])
    .execute();
  await db.schema
    .createIndex('command_target_state_idx')
    .on('command_target')
    .columns(['command_id', 'state'])
    .execute();
  await db.schema
    .createIndex('command_target_dispatch_idx')
    .on('command_target')
    .columns(['dispatch_id'])
    .execute();

  await db.schema
    .createTable('command_dispatch')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('command_id', 'text', (c) => c.notNull().references('command.id').onDelete('cascade'))
    .addColumn('agent_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('miner_ids', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull().unique())
    .addColumn('issued_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('published_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('command_dispatch_command_idx')
    .on('command_dispatch')
    .columns(['command_id', 'agent_id'])
    .execute();

  await db.schema
    .createTable('command_idempotency')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('principal_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('command_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('command_idempotency_pk', ['tenant_id', 'principal_id', 'key'])
    .execute();
  await db.schema
    .createIndex('command_idempotency_expiry_idx')
    .on('command_idempotency')
    .columns(['expires_at'])
    .execute();

  // What the miner's driver is and can do, as its agent reports (MinerIdentity 9/10); '' and [] until then.
  await db.schema
    .alterTable('miner')
    .addColumn('driver', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema
    .alterTable('miner')
    .addColumn('capabilities', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
}
