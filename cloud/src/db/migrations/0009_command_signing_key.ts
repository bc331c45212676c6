import { exportPrivateKey, generateKeyPair } from '@hashinsight/vault';
import type { Kysely } from 'kysely';

// The cloud's Ed25519 key for signing commands and sealed credentials (issue #4, used by the command service of
// #6). Created here, once, so two instances starting together on one database can never make two: migrations run
// one at a time (PostgreSQL under an advisory lock). Agents learn the public half at enrollment.
// private_key is PKCS#8 PEM in the clear for now; the credential vault of #6 wraps it with the master key
// (envelope encryption) and the rewrap job covers it. A retired key (retired_at set) still verifies what it
// signed but signs nothing new.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('command_signing_key')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('algorithm', 'text', (c) => c.notNull())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('private_key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('retired_at', 'bigint')
    .execute();
  const key = generateKeyPair('ed25519');
  await (db as Kysely<{ command_signing_key: Record<string, unknown> }>)
    .insertInto('command_signing_key')
    .values({
      id: key.keyId,
      algorithm: 'ed25519',
      public_key: key.publicKey,
      private_key: exportPrivateKey(key.privateKey),
      created_at: Date.now(),
      retired_at: null,
    })
    .execute();
}
