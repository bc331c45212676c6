import type { Kysely } from 'kysely';

// The credential vault (issue #6): envelope encryption. vault_data_key holds each tenant's data keys (DEK, kind
// 'data' for credentials and miner IPs, kind 'index' for blind indexes), each wrapped by a master-key version
// (kek_version); the newest unretired data version encrypts, older ones only decrypt until the rewrap job has
// moved every row off them and they are retired (wrapped_key blanked). op_count counts encryptions per data key
// so it is rotated well before AES-GCM's random-IV limit.
// credential is one login slot (tenant, scope, purpose); credential_version its versions, each ciphertext under
// one DEK version, state active | pending | inactive. row_version makes every rewrap a compare-and-swap, so a
// job killed at any point leaves each row either fully old or fully new.
// command_signing_key (0009) gets private_key_wrapped + kek_version: the vault wraps the clear PEM with the master
// key when it starts (migrations cannot: the master key is not theirs to hold) and blanks private_key.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('vault_data_key')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenant.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('wrapped_key', 'text', (c) => c.notNull())
    .addColumn('kek_version', 'integer', (c) => c.notNull())
    .addColumn('op_count', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('retired_at', 'bigint')
    .addColumn('row_version', 'integer', (c) => c.notNull().defaultTo(1))
    .addPrimaryKeyConstraint('vault_data_key_pk', ['tenant_id', 'kind', 'version'])
    .execute();

  await db.schema
    .createTable('credential')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenant.id'))
    .addColumn('scope_kind', 'text', (c) => c.notNull())
    /** miner:<agentId>/<minerId>, model:<model>, site:<siteId> or pool:<id>: one slot per (scope, purpose). */
    .addColumn('scope_key', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('miner_id', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('model', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('site_id', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('active_version', 'integer')
    .addColumn('last_version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('credential_slot_idx')
    .on('credential')
    .columns(['tenant_id', 'scope_key', 'purpose'])
    .unique()
    .execute();

  await db.schema
    .createTable('credential_version')
    .addColumn('credential_id', 'text', (c) => c.notNull().references('credential.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('dek_version', 'integer', (c) => c.notNull())
    .addColumn('ciphertext', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('row_version', 'integer', (c) => c.notNull().defaultTo(1))
    .addPrimaryKeyConstraint('credential_version_pk', ['credential_id', 'version'])
    .execute();
  await db.schema
    .createIndex('credential_version_dek_idx')
    .on('credential_version')
    .columns(['tenant_id', 'dek_version'])
    .execute();

  await db.schema
    .alterTable('command_signing_key')
    .addColumn('private_key_wrapped', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema
    .alterTable('command_signing_key')
    .addColumn('kek_version', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('command_signing_key')
    .addColumn('row_version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
}
