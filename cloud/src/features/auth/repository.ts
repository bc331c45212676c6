import { sql } from 'kysely';
import type { Db, UserRole } from '../../db/index.js';
import type { ApiKeyTable } from '../../db/schema.js';
import { uuidv7 } from '../../lib/ids.js';

export async function findUserByEmail(db: Db, email: string) {
  return db
    .selectFrom('user')
    .select(['id', 'email', 'password_hash', 'role', 'tenant_id', 'customer_id', 'disabled_at'])
    .where('email', '=', email)
    .executeTakeFirst();
}

export async function countUsers(db: Db): Promise<number> {
  const row = await db
    .selectFrom('user')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function insertUser(
  db: Db,
  user: {
    id: string;
    tenantId: string;
    customerId: string | null;
    email: string;
    passwordHash: string;
    role: UserRole;
    createdAt: number;
  },
): Promise<void> {
  await db
    .insertInto('user')
    .values({
      id: user.id,
      tenant_id: user.tenantId,
      customer_id: user.customerId,
      email: user.email,
      password_hash: user.passwordHash,
      role: user.role,
      created_at: user.createdAt,
    })
    .execute();
}

/** The first tenant and its first site, creating both ("Default", "Default site") on an empty database. */
export async function ensureDefaultTenant(
  db: Db,
  nowMs: number,
): Promise<{ tenantId: string; siteId: string }> {
  return db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('site')
      .select(['id', 'tenant_id'])
      .orderBy('created_at')
      .orderBy('id')
      .executeTakeFirst();
    if (existing !== undefined) return { tenantId: existing.tenant_id, siteId: existing.id };
    const tenantId = uuidv7(nowMs);
    const siteId = uuidv7(nowMs);
    await trx.insertInto('tenant').values({ id: tenantId, name: 'Default', created_at: nowMs }).execute();
    await trx
      .insertInto('site')
      .values({
        id: siteId,
        tenant_id: tenantId,
        name: 'Default site',
        location: '',
        timezone: 'UTC',
        created_at: nowMs,
      })
      .execute();
    return { tenantId, siteId };
  });
}

export async function findUserById(db: Db, id: string) {
  return db
    .selectFrom('user')
    .select(['id', 'password_hash', 'role', 'tenant_id', 'customer_id', 'disabled_at'])
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function updatePasswordHash(db: Db, userId: string, passwordHash: string): Promise<void> {
  await db.updateTable('user').set({ password_hash: passwordHash }).where('id', '=', userId).execute();
}

export async function insertSession(
  db: Db,
  session: { id: string; tenantId: string; userId: string; createdAt: number; expiresAt: number },
): Promise<void> {
  await db
    .insertInto('session')
    .values({
      id: session.id,
      tenant_id: session.tenantId,
      user_id: session.userId,
      created_at: session.createdAt,
      expires_at: session.expiresAt,
    })
    .execute();
}

export async function insertRefreshToken(
  db: Db,
  token: { hash: string; sessionId: string; createdAt: number; expiresAt: number },
): Promise<void> {
  await db
    .insertInto('refresh_token')
    .values({
      token_hash: token.hash,
      session_id: token.sessionId,
      created_at: token.createdAt,
      expires_at: token.expiresAt,
    })
    .execute();
}

/** A refresh token with its session and user: everything a refresh decides on, in one indexed lookup. */
export async function findRefreshToken(db: Db, hash: string) {
  return db
    .selectFrom('refresh_token')
    .innerJoin('session', 'session.id', 'refresh_token.session_id')
    .innerJoin('user', 'user.id', 'session.user_id')
    .select([
      'refresh_token.session_id',
      'refresh_token.expires_at',
      'refresh_token.rotated_at',
      'session.expires_at as session_expires_at',
      'session.revoked_at',
      'user.id as user_id',
      'user.tenant_id',
      'user.role',
      'user.customer_id',
      'user.disabled_at',
    ])
    .where('refresh_token.token_hash', '=', hash)
    .executeTakeFirst();
}

/** Marks a token used; false when another request rotated it first (so this one is a reuse). */
export async function markRotated(db: Db, hash: string, nowMs: number): Promise<boolean> {
  const result = await db
    .updateTable('refresh_token')
    .set({ rotated_at: nowMs })
    .where('token_hash', '=', hash)
    .where('rotated_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** The session of an access token with its user's current role and state (primary-key lookup and join). */
export async function findSessionUser(db: Db, sessionId: string) {
  return db
    .selectFrom('session')
    .innerJoin('user', 'user.id', 'session.user_id')
    .select([
      'session.user_id',
      'session.expires_at',
      'session.revoked_at',
      'user.tenant_id',
      'user.role',
      'user.customer_id',
      'user.disabled_at',
    ])
    .where('session.id', '=', sessionId)
    .executeTakeFirst();
}

export async function revokeSessionRow(
  db: Db,
  sessionId: string,
  reason: string,
  nowMs: number,
): Promise<void> {
  await db
    .updateTable('session')
    .set({ revoked_at: nowMs, revoked_reason: reason })
    .where('id', '=', sessionId)
    .where('revoked_at', 'is', null)
    .execute();
}

/** Revokes every open session of a user; returns how many. */
export async function revokeUserSessionRows(
  db: Db,
  userId: string,
  reason: string,
  nowMs: number,
): Promise<number> {
  const result = await db
    .updateTable('session')
    .set({ revoked_at: nowMs, revoked_reason: reason })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function insertApiKey(db: Db, key: ApiKeyTable): Promise<void> {
  await db.insertInto('api_key').values(key).execute();
}

export async function findApiKeyByHash(db: Db, hash: string) {
  return db
    .selectFrom('api_key')
    .select(['id', 'tenant_id', 'role', 'customer_id', 'created_by', 'revoked_at'])
    .where('key_hash', '=', hash)
    .executeTakeFirst();
}

const API_KEY_COLUMNS = [
  'id',
  'name',
  'role',
  'customer_id',
  'prefix',
  'created_by',
  'created_at',
  'revoked_at',
] as const;

export async function listTenantApiKeys(db: Db, tenantId: string) {
  return db
    .selectFrom('api_key')
    .select(API_KEY_COLUMNS)
    .where('tenant_id', '=', tenantId)
    .orderBy('id')
    .execute();
}

export async function findTenantApiKey(db: Db, tenantId: string, id: string) {
  return db
    .selectFrom('api_key')
    .select(API_KEY_COLUMNS)
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function revokeApiKeyRow(db: Db, tenantId: string, id: string, nowMs: number): Promise<void> {
  await db
    .updateTable('api_key')
    .set({ revoked_at: nowMs })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .execute();
}

/** A customer's keys, the active ones first, then the newest; at most `limit`. */
export async function listCustomerApiKeys(db: Db, tenantId: string, customerId: string, limit: number) {
  return db
    .selectFrom('api_key')
    .select(API_KEY_COLUMNS)
    .where('tenant_id', '=', tenantId)
    .where('customer_id', '=', customerId)
    .where('role', '=', 'customer')
    .orderBy(sql`revoked_at is null`, 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

export async function countActiveCustomerApiKeys(
  db: Db,
  tenantId: string,
  customerId: string,
): Promise<number> {
  const row = await db
    .selectFrom('api_key')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('customer_id', '=', customerId)
    .where('role', '=', 'customer')
    .where('revoked_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Holds the customer's row until the transaction ends, so that concurrent key creations of one customer count
 * one after the other (a no-op write: PostgreSQL locks the row, SQLite the database). False when the customer is
 * not the tenant's.
 */
export async function lockCustomer(db: Db, tenantId: string, customerId: string): Promise<boolean> {
  const result = await db
    .updateTable('customer')
    .set((eb) => ({ tenant_id: eb.ref('tenant_id') }))
    .where('tenant_id', '=', tenantId)
    .where('id', '=', customerId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Revokes a key of the customer (the first revocation time stays); false when it is not the customer's. */
export async function revokeCustomerApiKeyRow(
  db: Db,
  tenantId: string,
  customerId: string,
  id: string,
  nowMs: number,
): Promise<boolean> {
  const result = await db
    .updateTable('api_key')
    .set((eb) => ({ revoked_at: eb.fn.coalesce('revoked_at', eb.val(nowMs)) }))
    .where('tenant_id', '=', tenantId)
    .where('customer_id', '=', customerId)
    .where('role', '=', 'customer')
    .where('id', '=', id)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Revokes the customer-role keys a user created (their portal keys); returns how many were still active. */
export async function revokeCustomerKeysCreatedBy(
  db: Db,
  tenantId: string,
  userId: string,
  nowMs: number,
): Promise<number> {
  const result = await db
    .updateTable('api_key')
    .set({ revoked_at: nowMs })
    .where('tenant_id', '=', tenantId)
    .where('created_by', '=', userId)
    .where('role', '=', 'customer')
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function customerExists(db: Db, tenantId: string, customerId: string): Promise<boolean> {
  const row = await db
    .selectFrom('customer')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', customerId)
    .executeTakeFirst();
  return row !== undefined;
}
