import type { Db, UserRole } from '../../db/index.js';

export async function findUserByEmail(db: Db, email: string) {
  return db
    .selectFrom('user')
    .select(['id', 'email', 'password_hash', 'role'])
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
  user: { id: string; email: string; passwordHash: string; role: UserRole; createdAt: number },
): Promise<void> {
  await db
    .insertInto('user')
    .values({
      id: user.id,
      email: user.email,
      password_hash: user.passwordHash,
      role: user.role,
      created_at: user.createdAt,
    })
    .execute();
}
