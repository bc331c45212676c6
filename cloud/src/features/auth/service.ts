import type { Db, UserRole } from '../../db/index.js';
import { uuidv7 } from '../../lib/ids.js';
import { invalidCredentials } from './errors.js';
import { generatePassword, hashPassword, verifyPassword } from './password.js';
import { countUsers, ensureDefaultTenant, findUserByEmail, insertUser } from './repository.js';

export interface AuthenticatedUser {
  id: string;
  tenantId: string;
  role: UserRole;
  customerId: string | null;
}

// Checked when the email is unknown, so that path spends the same scrypt time as a wrong password. The hash of
// a random password nobody kept, made with the current parameters.
const DECOY_HASH = '$scrypt$ln=15,r=8,p=1$Ac2c41RdrHfK0yXsPT3gXA$srOPXt9AzubDwpHUY_6mM4ai7Vq5O_dzIPKyJwmoS34';

/** The user behind `email` and `password`; throws AUTH_INVALID_CREDENTIALS otherwise. */
export async function authenticateUser(db: Db, email: string, password: string): Promise<AuthenticatedUser> {
  const user = await findUserByEmail(db, email.trim().toLowerCase());
  if (user === undefined) {
    await verifyPassword(password, DECOY_HASH);
    throw invalidCredentials();
  }
  if (!(await verifyPassword(password, user.password_hash))) throw invalidCredentials();
  // Every user has a tenant once migrated; one without cannot be scoped, so it cannot log in.
  if (user.tenant_id === null) throw invalidCredentials();
  return { id: user.id, tenantId: user.tenant_id, role: user.role, customerId: user.customer_id };
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
