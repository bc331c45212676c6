import type { Db } from '../../db/index.js';
import type { UserRole } from '../../db/schema.js';
import { uuidv7 } from '../../lib/ids.js';
import type { Principal } from '../../plugins/access.js';
import { authRequired } from '../../plugins/jwt.js';
import { apiKeyLimit, apiKeyNotFound, customerMismatch, customerNotFound } from './errors.js';
import {
  countActiveCustomerApiKeys,
  customerExists,
  findApiKeyByHash,
  findTenantApiKey,
  insertApiKey,
  listCustomerApiKeys,
  listTenantApiKeys,
  lockCustomer,
  revokeApiKeyRow,
  revokeCustomerApiKeyRow,
} from './repository.js';
import { API_KEY_PREFIX, newSecret, secretDigest } from './tokens.js';

/** Roles an API key may have: never owner. */
export const API_KEY_ROLES = [
  'admin',
  'mining_site',
  'customer',
  'guest',
] as const satisfies readonly UserRole[];

export interface ApiKeyView {
  id: string;
  name: string;
  role: UserRole;
  customerId: string | null;
  /** The first characters of the key, to recognise it. */
  prefix: string;
  createdBy: string;
  createdAt: string;
  revokedAt: string | null;
}

type ApiKeyRow = NonNullable<Awaited<ReturnType<typeof findTenantApiKey>>>;

function viewOf(row: ApiKeyRow): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    customerId: row.customer_id,
    prefix: row.prefix,
    createdBy: row.created_by,
    createdAt: new Date(Number(row.created_at)).toISOString(),
    revokedAt: row.revoked_at === null ? null : new Date(Number(row.revoked_at)).toISOString(),
  };
}

/** Checks that a role and customer go together and that the customer is the caller's tenant's. */
export async function checkRoleCustomer(
  db: Db,
  tenantId: string,
  role: UserRole,
  customerId: string | null,
): Promise<void> {
  if ((role === 'customer') !== (customerId !== null)) throw customerMismatch(role);
  // Another tenant's customer is exactly as missing as one that does not exist.
  if (customerId !== null && !(await customerExists(db, tenantId, customerId))) throw customerNotFound();
}

/** Creates a key in the caller's tenant; the key itself is returned here only, and stored as its digest. */
export async function createApiKey(
  db: Db,
  caller: Principal,
  input: { name: string; role: (typeof API_KEY_ROLES)[number]; customerId: string | null },
  nowMs: number,
): Promise<ApiKeyView & { key: string }> {
  await checkRoleCustomer(db, caller.tenantId, input.role, input.customerId);
  const key = newSecret(API_KEY_PREFIX);
  const row = {
    id: uuidv7(nowMs),
    tenant_id: caller.tenantId,
    name: input.name,
    role: input.role,
    customer_id: input.customerId,
    key_hash: secretDigest(key),
    prefix: key.slice(0, API_KEY_PREFIX.length + 6),
    created_by: caller.userId,
    created_at: nowMs,
    revoked_at: null,
  };
  await insertApiKey(db, row);
  return { ...viewOf(row), key };
}

export async function listApiKeys(db: Db, caller: Principal): Promise<ApiKeyView[]> {
  return (await listTenantApiKeys(db, caller.tenantId)).map(viewOf);
}

export async function getApiKey(db: Db, caller: Principal, id: string): Promise<ApiKeyView> {
  const row = await findTenantApiKey(db, caller.tenantId, id);
  if (row === undefined) throw apiKeyNotFound();
  return viewOf(row);
}

/** Revokes a key of the caller's tenant (idempotent); the key fails from its next request on. */
export async function revokeApiKey(
  db: Db,
  caller: Principal,
  id: string,
  nowMs: number,
): Promise<ApiKeyView> {
  await revokeApiKeyRow(db, caller.tenantId, id, nowMs);
  return getApiKey(db, caller, id);
}

// A hosting client's own keys for Portal Lite (the portal feature's /api/portal/keys): always the customer
// role, bound to the caller's customer, and only ever that customer's keys listed or revoked.

/** Active keys one customer may hold at once. */
export const MAX_ACTIVE_CUSTOMER_KEYS = 20;
/** Keys one list shows: every active one, then the most recently revoked. */
const CUSTOMER_KEYS_LISTED = 100;

/** The customer a caller acts for; the portal's permission admits no other role. */
function customerIdOf(caller: Principal): string {
  if (caller.role !== 'customer' || caller.customerId === null) throw customerNotFound();
  return caller.customerId;
}

/** A new customer key of the caller's customer, unless it holds MAX_ACTIVE_CUSTOMER_KEYS already. */
export async function createCustomerApiKey(
  db: Db,
  caller: Principal,
  name: string,
  nowMs: number,
): Promise<ApiKeyView & { key: string }> {
  const customerId = customerIdOf(caller);
  return db.transaction().execute(async (trx) => {
    // Concurrent creations of one customer count one after another, so the cap holds under a burst too.
    if (!(await lockCustomer(trx, caller.tenantId, customerId))) throw customerNotFound();
    const active = await countActiveCustomerApiKeys(trx, caller.tenantId, customerId);
    if (active >= MAX_ACTIVE_CUSTOMER_KEYS) throw apiKeyLimit(MAX_ACTIVE_CUSTOMER_KEYS);
    return createApiKey(trx, caller, { name, role: 'customer', customerId }, nowMs);
  });
}

export async function listCustomerKeys(db: Db, caller: Principal): Promise<ApiKeyView[]> {
  const rows = await listCustomerApiKeys(db, caller.tenantId, customerIdOf(caller), CUSTOMER_KEYS_LISTED);
  return rows.map(viewOf);
}

/** Revokes one of the caller's customer's keys (idempotent); any other key is as missing as an unknown one. */
export async function revokeCustomerKey(
  db: Db,
  caller: Principal,
  id: string,
  nowMs: number,
): Promise<ApiKeyView> {
  if (!(await revokeCustomerApiKeyRow(db, caller.tenantId, customerIdOf(caller), id, nowMs))) {
    throw apiKeyNotFound();
  }
  return getApiKey(db, caller, id);
}

/**
 * The principal of an API key. It acts for its tenant with its own role; userId is the admin who created it
 * (so what it creates is attributed to a person), and the audit log names the key itself.
 */
export async function apiKeyPrincipal(
  db: Db,
  key: string,
): Promise<{ principal: Principal; apiKeyId: string }> {
  if (!key.startsWith(API_KEY_PREFIX) || key.length > 100) throw authRequired();
  const row = await findApiKeyByHash(db, secretDigest(key));
  if (row === undefined || row.revoked_at !== null) throw authRequired();
  if (row.role === 'owner' || (row.role === 'customer') !== (row.customer_id !== null)) throw authRequired();
  return {
    apiKeyId: row.id,
    principal: {
      userId: row.created_by,
      tenantId: row.tenant_id,
      role: row.role,
      customerId: row.customer_id,
    },
  };
}
