import type { Kysely } from 'kysely';

// Identity and access: login sessions with rotating refresh tokens, API keys for machine clients, disabled
// users, and the hash-chained audit log. Secrets are stored only as SHA-256 digests of 256-bit random values.

export async function up(db: Kysely<unknown>): Promise<void> {
  // Set when an admin disables the user: it can no longer log in or refresh, and its sessions are revoked.
  await db.schema.alterTable('user').addColumn('disabled_at', 'bigint').execute();

  // One login = one session = one refresh-token family. An access token names its session (sid claim), so
  // revoking the session stops its access tokens at the next request.
  await db.schema
    .createTable('session')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenant.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('user.id'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    /** Absolute end: refreshing never extends a session past it. */
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .addColumn('revoked_reason', 'text')
    .execute();
  await db.schema.createIndex('session_user_idx').on('session').column('user_id').execute();

  // Every refresh token ever issued for a session; a rotated one presented again revokes the whole session.
  await db.schema
    .createTable('refresh_token')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('session_id', 'text', (c) => c.notNull().references('session.id'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('rotated_at', 'bigint')
    .execute();
  await db.schema.createIndex('refresh_token_session_idx').on('refresh_token').column('session_id').execute();

  await db.schema
    .createTable('api_key')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenant.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.references('customer.id'))
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    /** The first characters of the key, so people can tell keys apart in a list. */
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull().references('user.id'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .execute();
  await db.schema.createIndex('api_key_tenant_idx').on('api_key').column('tenant_id').execute();

  // Append-only; no foreign keys, so an entry outlives what it names. Each row's hash covers the previous
  // row's hash and its own canonical form (features/audit/chain.ts).
  await db.schema
    .createTable('audit_log')
    .addColumn('seq', 'bigint', (c) => c.primaryKey())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('tenant_id', 'text')
    .addColumn('actor_kind', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('email', 'text')
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('route', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text')
    .addColumn('status_code', 'integer', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_log_tenant_idx').on('audit_log').columns(['tenant_id', 'seq']).execute();
}
