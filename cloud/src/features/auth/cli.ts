import { loadCloudConfig } from '../../config/index.js';
import { migrateToLatest, openDatabase } from '../../db/index.js';
import { uuidv7 } from '../../lib/ids.js';
import { generatePassword, hashPassword } from './password.js';
import { insertUser } from './repository.js';

const USAGE = 'usage: hashinsight-cloud create-tenant --name <company> --owner-email <email>';
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function flags(args: string[]): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    if (flag !== '--name' && flag !== '--owner-email') return undefined;
    if (value === undefined || Object.hasOwn(out, flag)) return undefined;
    out[flag] = value;
  }
  return out;
}

/**
 * `hashinsight-cloud create-tenant --name … --owner-email …`: a second hosting company on the same install, with
 * a default site and its owner, whose generated password is printed once.
 */
export async function createTenantCommand(
  args: string[],
  env: NodeJS.ProcessEnv,
  print: (line: string) => void,
): Promise<number> {
  const parsed = flags(args);
  const name = parsed?.['--name']?.trim() ?? '';
  const email = parsed?.['--owner-email']?.trim().toLowerCase() ?? '';
  if (name === '' || name.length > 100 || !EMAIL.test(email) || email.length > 254) {
    print(USAGE);
    return 2;
  }
  const config = loadCloudConfig(env);
  const db = openDatabase(config);
  try {
    await migrateToLatest(db);
    const taken = await db
      .selectFrom('tenant')
      .select('id')
      .where('name', '=', name)
      .unionAll(db.selectFrom('user').select('id').where('email', '=', email))
      .executeTakeFirst();
    if (taken !== undefined) {
      print(`create-tenant: a tenant named ${JSON.stringify(name)} or a user ${email} already exists`);
      return 1;
    }
    const now = Date.now();
    const password = generatePassword();
    const passwordHash = await hashPassword(password);
    const tenantId = uuidv7(now);
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('tenant').values({ id: tenantId, name, created_at: now }).execute();
      await trx
        .insertInto('site')
        .values({
          id: uuidv7(now),
          tenant_id: tenantId,
          name: 'Default site',
          location: '',
          timezone: 'UTC',
          created_at: now,
        })
        .execute();
      await insertUser(trx, {
        id: uuidv7(now),
        tenantId,
        customerId: null,
        email,
        passwordHash,
        role: 'owner',
        createdAt: now,
      });
    });
    print(`tenant ${JSON.stringify(name)} created (${tenantId})`);
    print(`  owner:    ${email}`);
    print(`  password: ${password}   <- generated, shown only this once: save it now`);
    return 0;
  } finally {
    await db.destroy();
  }
}
