import type { Db } from '../../db/index.js';
import type { UserRole } from '../../db/schema.js';
import { uuidv7 } from '../../lib/ids.js';
import type { Principal } from '../../plugins/access.js';
import {
  checkRoleCustomer,
  generatePassword,
  hashPassword,
  insertUser,
  revokeCustomerKeysCreatedBy,
  revokeUserSessions,
} from '../auth/index.js';
import { emailTakenError, ownerProtected, selfLockout, userNotFound } from './errors.js';
import { emailTaken, findTenantUser, listTenantUsers, updateTenantUser } from './repository.js';

/** Roles an admin may give: never owner (owners come from the bootstrap or `create-tenant`). */
export const ASSIGNABLE_ROLES = [
  'admin',
  'mining_site',
  'customer',
  'guest',
] as const satisfies readonly UserRole[];
export type AssignableRole = (typeof ASSIGNABLE_ROLES)[number];

export interface UserView {
  id: string;
  email: string;
  role: UserRole;
  customerId: string | null;
  disabled: boolean;
  createdAt: string;
}

type UserRow = NonNullable<Awaited<ReturnType<typeof findTenantUser>>>;

function viewOf(row: UserRow): UserView {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    customerId: row.customer_id,
    disabled: row.disabled_at !== null,
    createdAt: new Date(Number(row.created_at)).toISOString(),
  };
}

export async function listUsers(
  db: Db,
  caller: Principal,
  page: { cursor: string | undefined; limit: number },
): Promise<{ users: UserView[]; nextCursor: string | null }> {
  const rows = await listTenantUsers(db, caller.tenantId, { afterId: page.cursor, limit: page.limit + 1 });
  const users = rows.slice(0, page.limit).map(viewOf);
  return { users, nextCursor: rows.length > page.limit ? (users[users.length - 1]?.id ?? null) : null };
}

export async function getUser(db: Db, caller: Principal, id: string): Promise<UserView> {
  const row = await findTenantUser(db, caller.tenantId, id);
  // Another tenant's user is exactly as missing as one that does not exist.
  if (row === undefined) throw userNotFound();
  return viewOf(row);
}

/** Creates a user in the caller's tenant; without a password one is generated and returned once. */
export async function createUser(
  db: Db,
  caller: Principal,
  input: { email: string; role: AssignableRole; customerId: string | null; password: string | undefined },
  nowMs: number,
): Promise<UserView & { generatedPassword?: string }> {
  const email = input.email.trim().toLowerCase();
  await checkRoleCustomer(db, caller.tenantId, input.role, input.customerId);
  if (await emailTaken(db, email)) throw emailTakenError();
  const generatedPassword = input.password === undefined ? generatePassword() : undefined;
  const id = uuidv7(nowMs);
  await insertUser(db, {
    id,
    tenantId: caller.tenantId,
    customerId: input.customerId,
    email,
    passwordHash: await hashPassword(input.password ?? generatedPassword ?? ''),
    role: input.role,
    createdAt: nowMs,
  });
  const view = await getUser(db, caller, id);
  return generatedPassword === undefined ? view : { ...view, generatedPassword };
}

/**
 * Changes a user's role, customer or disabled state. Role changes take effect at the target's next request
 * (identify reads the role from the user row); disabling also ends every session of the user.
 */
export async function updateUser(
  db: Db,
  caller: Principal,
  id: string,
  changes: { role?: AssignableRole; customerId?: string | null; disabled?: boolean },
  nowMs: number,
): Promise<UserView> {
  const current = await findTenantUser(db, caller.tenantId, id);
  if (current === undefined) throw userNotFound();
  if (current.role === 'owner' && caller.role !== 'owner') throw ownerProtected();
  if (current.role === 'owner' && changes.role !== undefined) throw ownerProtected();
  const role = changes.role ?? current.role;
  // Leaving the customer role drops the customer; entering it needs one.
  const customerId =
    changes.customerId !== undefined ? changes.customerId : role === 'customer' ? current.customer_id : null;
  const disabling = changes.disabled === true && current.disabled_at === null;
  if (id === caller.userId && (role !== current.role || disabling)) throw selfLockout();
  await checkRoleCustomer(db, caller.tenantId, role, customerId);
  const disabledAt =
    changes.disabled === undefined
      ? current.disabled_at
      : changes.disabled
        ? (current.disabled_at ?? nowMs)
        : null;
  await updateTenantUser(db, caller.tenantId, id, { role, customer_id: customerId, disabled_at: disabledAt });
  if (disabling) await revokeUserSessions(db, id, 'user_disabled', nowMs);
  // A hosting client's user makes Portal Lite keys for their customer; offboarding them (disabled, moved to
  // another customer or out of the role) must not leave those keys reading the customer's miners.
  const leftCustomer =
    current.role === 'customer' && (disabling || role !== 'customer' || customerId !== current.customer_id);
  if (leftCustomer) await revokeCustomerKeysCreatedBy(db, caller.tenantId, id, nowMs);
  return getUser(db, caller, id);
}
