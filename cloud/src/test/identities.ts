// Test identities: two tenants, each with a customer and one user per role, and access tokens for them minted
// through the real session table (no scrypt per login, so matrix tests stay fast).
import type { FastifyInstance } from 'fastify';
import type { Db } from '../db/index.js';
import { USER_ROLES, type UserRole } from '../db/schema.js';
import { hashPassword, insertUser } from '../features/auth/index.js';
import { openSession } from '../features/auth/sessions.js';
import { secretDigest } from '../features/auth/tokens.js';
import { uuidv7 } from '../lib/ids.js';

export const USER_PASSWORD = 'a user password of decent length';

export interface TestUser {
  id: string;
  email: string;
  role: UserRole;
  tenantId: string;
  customerId: string | null;
}

export interface TestTenant {
  tenantId: string;
  siteId: string;
  customerId: string;
  users: Record<UserRole, TestUser>;
}

let passwordHash: Promise<string> | undefined;

/** A tenant with a site, a customer and one user per role; `label` keeps emails and names unique. */
export async function seedTenant(db: Db, label: string, existingTenantId?: string): Promise<TestTenant> {
  const now = Date.now();
  passwordHash ??= hashPassword(USER_PASSWORD);
  const tenantId = existingTenantId ?? uuidv7(now);
  if (existingTenantId === undefined)
    await db
      .insertInto('tenant')
      .values({ id: tenantId, name: `Tenant ${label}`, created_at: now })
      .execute();
  const siteId = uuidv7(now);
  await db
    .insertInto('site')
    .values({
      id: siteId,
      tenant_id: tenantId,
      name: `Site ${label}`,
      location: '',
      timezone: 'UTC',
      created_at: now,
    })
    .execute();
  const customerId = uuidv7(now);
  await db
    .insertInto('customer')
    .values({
      id: customerId,
      tenant_id: tenantId,
      name: `Customer ${label}`,
      contact_email: '',
      created_at: now,
    })
    .execute();
  const users = {} as Record<UserRole, TestUser>;
  for (const role of USER_ROLES) {
    const user: TestUser = {
      id: uuidv7(now),
      email: `${role}.${label}@example.com`.toLowerCase(),
      role,
      tenantId,
      customerId: role === 'customer' ? customerId : null,
    };
    await insertUser(db, { ...user, passwordHash: await passwordHash, createdAt: now });
    users[role] = user;
  }
  return { tenantId, siteId, customerId, users };
}

/** An access token of a fresh session of `user`, signed by the app's key. */
export async function accessToken(app: FastifyInstance, db: Db, user: TestUser): Promise<string> {
  const { sessionId } = await openSession(db, user, Date.now());
  return app.jwt.sign({
    sub: user.id,
    tid: user.tenantId,
    role: user.role,
    cid: user.customerId,
    sid: sessionId,
  });
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Stores an API key `key` of `role` in `tenant` (a customer key is scoped to the tenant's customer). */
export async function insertApiKey(db: Db, tenant: TestTenant, role: UserRole, key: string): Promise<void> {
  await db
    .insertInto('api_key')
    .values({
      id: uuidv7(),
      tenant_id: tenant.tenantId,
      name: `test ${role}`,
      role,
      customer_id: role === 'customer' ? tenant.customerId : null,
      key_hash: secretDigest(key),
      prefix: key.slice(0, 10),
      created_by: tenant.users.admin.id,
      created_at: Date.now(),
      revoked_at: null,
    })
    .execute();
}
