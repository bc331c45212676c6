import type { Db, UserRole } from '../../db/index.js';
import { uuidv7 } from '../../lib/ids.js';
import { invalidCredentials, wrongCurrentPassword } from './errors.js';
import { generatePassword, hashPassword, verifyPassword } from './password.js';
import {
  countUsers,
  ensureDefaultTenant,
  findUserByEmail,
  findUserById,
  insertUser,
  updatePasswordHash,
} from './repository.js';
import { revokeUserSessions } from './sessions.js';

export interface AuthenticatedUser {
  id: string;
  tenantId: string;
  role: UserRole;
  customerId: string | null;
}

// Checked when the email is unknown, so that path spends the same scrypt time as a wrong password. The hash of
// a random password nobody kept, made with the current parameters.
const DECOY_HASH = '$scrypt$ln=15,r=8,p=1$Ac2c41RdrHfK0yXsPT3gXA$srOPXt9AzubDwpHUY_6mM4ai7Vq5O_dzIPKyJwmoS34';

/** The outcome of a login attempt; `tenantId` is set when the email is known (the audit row goes to that tenant). */
export type LoginOutcome =
  | { ok: true; user: AuthenticatedUser }
  | { ok: false; userId: string | null; tenantId: string | null };

/**
 * Checks `email` and `password`. An unknown email, a wrong password and a disabled account all fail the same
 * way (and an unknown email spends the same scrypt time), so the answer reveals nothing.
 */
export async function attemptLogin(db: Db, email: string, password: string): Promise<LoginOutcome> {
  const user = await findUserByEmail(db, email.trim().toLowerCase());
  if (user === undefined) {
    await verifyPassword(password, DECOY_HASH);
    return { ok: false, userId: null, tenantId: null };
  }
  const failed = { ok: false as const, userId: user.id, tenantId: user.tenant_id };
  if (!(await verifyPassword(password, user.password_hash))) return failed;
  // Every user has a tenant once migrated; one without cannot be scoped, so it cannot log in.
  if (user.tenant_id === null || user.disabled_at !== null) return failed;
  if (user.role === 'customer' && user.customer_id === null) return failed;
  return {
    ok: true,
    user: { id: user.id, tenantId: user.tenant_id, role: user.role, customerId: user.customer_id },
  };
}

/** The user behind `email` and `password`; throws AUTH_INVALID_CREDENTIALS otherwise. */
export async function authenticateUser(db: Db, email: string, password: string): Promise<AuthenticatedUser> {
  const outcome = await attemptLogin(db, email, password);
  if (!outcome.ok) throw invalidCredentials();
  return outcome.user;
}

/** Changes a user's password after checking the current one, then ends all of the user's sessions. */
export async function changePassword(
  db: Db,
  userId: string,
  passwords: { current: string; next: string },
  nowMs: number,
): Promise<{ revokedSessions: number }> {
  const user = await findUserById(db, userId);
  if (user === undefined || !(await verifyPassword(passwords.current, user.password_hash)))
    throw wrongCurrentPassword();
  await updatePasswordHash(db, userId, await hashPassword(passwords.next));
  return { revokedSessions: await revokeUserSessions(db, userId, 'password_changed', nowMs) };
}

/**
 * Creates the owner account when the database has no user yet. Returns the password when it had to generate
 * one (the caller shows it once); does nothing, and never resets a password, once any user exists.
 */
export async function bootstrapOwner(
  db: Db,
  owner: { email: string; password: string | undefined },
  nowMs: number,
): Promise<{ created: boolean; generatedPassword?: string }> {
  if ((await countUsers(db)) > 0) return { created: false };
  const generatedPassword = owner.password === undefined ? generatePassword() : undefined;
  const { tenantId } = await ensureDefaultTenant(db, nowMs);
  await insertUser(db, {
    id: uuidv7(nowMs),
    tenantId,
    customerId: null,
    email: owner.email.toLowerCase(),
    passwordHash: await hashPassword(owner.password ?? generatedPassword ?? ''),
    role: 'owner',
    createdAt: nowMs,
  });
  return generatedPassword === undefined ? { created: true } : { created: true, generatedPassword };
}
