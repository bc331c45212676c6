import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { tempDir } from '@hashinsight/testkit';
import { parseKeyring } from '@hashinsight/vault';
import { sql } from 'kysely';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { type Db, type Dialect, migrateToLatest, openDatabase } from '../../db/index.js';
import type { Broker } from '../../plugins/broker.js';
import { migratedTestDatabase, postgresSkip } from '../../test/databases.js';
import { insertAgent, insertMiner } from '../../test/fleet.js';
import { seedTenant } from '../../test/identities.js';
import { protectIp, revealIp } from '../miners/index.js';
import { retireUnused, rewrap } from './rewrap.js';
import { Vault } from './service.js';

// Rotation and the rewrap job: every credential stays readable through a master-key rotation and a data-key
// rotation, old keys stop working once retired, and a rewrap killed with SIGKILL loses nothing.

const WORKER = resolve(import.meta.dirname, 'testing/rewrap-worker.ts');
const K1 = randomBytes(32).toString('base64');
const K2 = randomBytes(32).toString('base64');
const published: string[] = [];
const broker = {
  publish: async (topic: string) => void published.push(topic),
} as unknown as Broker;

function vaultOver(db: Db, keyring: string, rotateAfterOps?: number): Vault {
  return new Vault({
    db,
    broker,
    masterKey: parseKeyring(keyring),
    logger: pino({ level: 'silent' }),
    ...(rotateAfterOps === undefined ? {} : { rotateAfterOps }),
  });
}

/** `count` site-default and model logins of one tenant, under master key 1; returns id -> password. */
async function seed(db: Db, count: number) {
  const tenant = await seedTenant(db, `T${randomBytes(3).toString('hex')}`);
  const vault = vaultOver(db, `1:${K1}`);
  const passwords = new Map<string, { version: number; password: string }>();
  for (let i = 0; i < count; i++) {
    const password = `pw-${i}-${randomBytes(6).toString('hex')}`;
    const ref = await vault.putCredential(tenant.tenantId, { kind: 'model', model: `M${i}` }, 'web', {
      username: 'root',
      password,
    });
    passwords.set(ref.credentialId, { version: ref.version, password });
  }
  await vault.signingKey(); // the signing key (wrapped under master key 1 when a vault starts: below)
  return { tenant, passwords };
}

async function readable(
  t: Test,
  vault: Vault,
  tenantId: string,
  passwords: Map<string, { version: number; password: string }>,
) {
  let ok = 0;
  for (const [credentialId, { version, password }] of passwords) {
    const { login } = await vault.openWith(vault.db, tenantId, { credentialId, version });
    if (login.password === password) ok += 1;
  }
  t.equal(ok, passwords.size, `all ${passwords.size} credentials readable`);
}

const dekVersions = async (db: Db) =>
  (
    await sql<{ v: number; n: number }>`select dek_version as v, count(*) as n from credential_version
    group by dek_version order by dek_version`.execute(db)
  ).rows.map((r) => [Number(r.v), Number(r.n)]);

for (const dialect of ['sqlite', 'postgres'] as Dialect[]) {
  const skip = dialect === 'postgres' ? postgresSkip : undefined;

  t.test(
    `master-key and data-key rotation keep every credential readable [${dialect}]`,
    skip ? { skip } : {},
    async (t) => {
      const db = await migratedTestDatabase(t, dialect);
      const { tenant, passwords } = await seed(db, 12);
      // Three miners with addresses sealed under data key 1, as the ingest stores them.
      const v1 = await vaultOver(db, `1:${K1}`).fieldCipher(tenant.tenantId);
      await insertAgent(db, { id: 'ag', tenantId: tenant.tenantId, siteId: tenant.siteId });
      for (const id of ['m1', 'm2', 'm3']) {
        await insertMiner(db, { agentId: 'ag', id, tenantId: tenant.tenantId, siteId: tenant.siteId });
        const sealed = protectIp(v1, 'ag', id, `10.0.0.${id.slice(1)}`);
        await db.updateTable('miner').set(sealed).where('agent_id', '=', 'ag').where('id', '=', id).execute();
      }
      const before = (
        await sql<{ ciphertext: string; credential_id: string }>`select credential_id, ciphertext
      from credential_version`.execute(db)
      ).rows;

      // A new master-key version: the ring holds both, the job moves everything to 2.
      const both = vaultOver(db, `1:${K1},2:${K2}`);
      await both.keys.create(both.db, tenant.tenantId, 'data'); // and a new data key
      const result = await rewrap(both);
      t.equal(result.skipped, 0);
      t.equal(
        result.rewrapped,
        12 + 3 + 2 + 1,
        `12 credentials, 3 miner IPs, data and index key 1 (data 2 is new) and the signing key: ${JSON.stringify(result)}`,
      );
      t.same(await dekVersions(db), [[2, 12]], 'every credential under data key 2');
      const keks = await sql<{
        k: number;
      }>`select distinct kek_version as k from vault_data_key where retired_at is null`.execute(db);
      t.same(
        keks.rows.map((r) => Number(r.k)),
        [2],
      );
      t.same((await rewrap(both)).rewrapped, 0, 'a second run has nothing to do');
      t.same(
        await retireUnused(both, tenant.tenantId, { graceMs: 60_000 }),
        [],
        'not while other instances may still hold a cipher of data key 1',
      );
      t.same(await retireUnused(both, tenant.tenantId), [1], 'data key 1 retired: nothing uses it');

      // Master key 1 leaves the ring: everything still opens with 2 alone.
      const onlyTwo = vaultOver(db, `2:${K2}`);
      await readable(t, onlyTwo, tenant.tenantId, passwords);
      t.ok((await onlyTwo.signingKey()).keyId, 'the signing key unwraps under master key 2');
      const cipher = await onlyTwo.fieldCipher(tenant.tenantId);
      const miners = await db
        .selectFrom('miner')
        .select(['id', 'ip_enc', 'ip_index'])
        .orderBy('id')
        .execute();
      t.same(
        miners.map((m) => revealIp(cipher, 'ag', m.id, m.ip_enc)),
        ['10.0.0.1', '10.0.0.2', '10.0.0.3'],
        'miner IPs re-sealed and readable',
      );
      t.same(
        miners.map((m) => m.ip_index),
        ['m1', 'm2', 'm3'].map((id) => protectIp(cipher, 'ag', id, `10.0.0.${id.slice(1)}`).ip_index),
        'blind indexes unchanged by rotation',
      );

      // A ciphertext saved from before (data key 1) no longer opens: below the minimum decryption version.
      const old = before[0];
      await sql`update credential_version set ciphertext = ${old?.ciphertext ?? ''}, dek_version = 1
      where credential_id = ${old?.credential_id ?? ''}`.execute(db);
      await t.rejects(
        onlyTwo.openWith(onlyTwo.db, tenant.tenantId, {
          credentialId: old?.credential_id ?? '',
          version: passwords.get(old?.credential_id ?? '')?.version ?? 1,
        }),
        { code: 'VAULT_KEY_UNAVAILABLE' },
      );
      // And a vault that lost master key 2 opens nothing.
      await t.rejects(vaultOver(db, `1:${K1}`).signingKey(), { code: 'VAULT_KEY_UNAVAILABLE' });
    },
  );

  t.test(
    `ciphertexts swapped between tenants, slots or versions do not open [${dialect}]`,
    skip ? { skip } : {},
    async (t) => {
      const db = await migratedTestDatabase(t, dialect);
      const vault = vaultOver(db, `1:${K1}`);
      const a = await seedTenant(db, 'SA');
      const b = await seedTenant(db, 'SB');
      const put = (tenantId: string, model: string, password: string) =>
        vault.putCredential(tenantId, { kind: 'model', model }, 'web', { username: 'u', password });
      const a1 = await put(a.tenantId, 'X', 'a-x-1');
      const a2 = await put(a.tenantId, 'X', 'a-x-2');
      const a3 = await put(a.tenantId, 'Y', 'a-y-1');
      const b1 = await put(b.tenantId, 'X', 'b-x-1');
      const cipher = async (ref: { credentialId: string; version: number }) =>
        (
          await sql<{ c: string }>`select ciphertext as c from credential_version
        where credential_id = ${ref.credentialId} and version = ${ref.version}`.execute(db)
        ).rows[0]?.c ?? '';
      const plant = async (ref: { credentialId: string; version: number }, ciphertext: string) =>
        sql`update credential_version set ciphertext = ${ciphertext}, state = 'active'
        where credential_id = ${ref.credentialId} and version = ${ref.version}`.execute(db);
      const [ca1, ca3, cb1] = [await cipher(a1), await cipher(a3), await cipher(b1)];
      await plant(a2, ca1);
      await t.rejects(
        vault.openWith(vault.db, a.tenantId, a2),
        { code: 'VAULT_KEY_UNAVAILABLE' },
        'another version',
      );
      await plant(a1, ca3);
      await t.rejects(
        vault.openWith(vault.db, a.tenantId, a1),
        { code: 'VAULT_KEY_UNAVAILABLE' },
        'another slot',
      );
      await plant(a3, cb1);
      await t.rejects(
        vault.openWith(vault.db, a.tenantId, a3),
        { code: 'VAULT_KEY_UNAVAILABLE' },
        'another tenant',
      );
      // B's wrapped data key copied onto A's row does not unwrap (its context names B).
      const bKey = await sql<{ w: string }>`select wrapped_key as w from vault_data_key
      where tenant_id = ${b.tenantId} and kind = 'data'`.execute(db);
      await sql`update vault_data_key set wrapped_key = ${bKey.rows[0]?.w ?? ''} where tenant_id = ${a.tenantId}
      and kind = 'data'`.execute(db);
      await plant(a3, ca3);
      await t.rejects(vaultOver(db, `1:${K1}`).openWith(vault.db, a.tenantId, a3), {
        code: 'VAULT_KEY_UNAVAILABLE',
      });
    },
  );

  t.test(
    `the op counter rotates a data key past its threshold [${dialect}]`,
    skip ? { skip } : {},
    async (t) => {
      const db = await migratedTestDatabase(t, dialect);
      const vault = vaultOver(db, `1:${K1}`, 3);
      const tenant = await seedTenant(db, 'OPS');
      for (let i = 0; i < 7; i++) {
        await vault.putCredential(tenant.tenantId, { kind: 'model', model: `M${i}` }, 'web', {
          username: 'u',
          password: 'p',
        });
      }
      t.same(
        await dekVersions(db),
        [
          [1, 3],
          [2, 3],
          [3, 1],
        ],
        'three encryptions per key',
      );
      const cipher = await vault.fieldCipher(tenant.tenantId);
      for (let i = 0; i < 5; i++) cipher.seal('10.0.0.1', `c${i}`);
      await vault.flushFieldCounts();
      const versions = await sql<{
        v: number;
      }>`select version as v from vault_data_key where tenant_id = ${tenant.tenantId}
      and kind = 'data' order by version`.execute(db);
      t.same(
        versions.rows.map((r) => Number(r.v)),
        [1, 2, 3, 4],
        'field seals count too',
      );
    },
  );

  t.test(
    `a rewrap killed with SIGKILL loses nothing; a second run finishes [${dialect}]`,
    skip ? { skip } : {},
    async (t) => {
      let db: Db;
      const env: Record<string, string> = { WORKER_MASTER_KEY: `1:${K1},2:${K2}` };
      if (dialect === 'sqlite') {
        const dir = tempDir(t);
        db = openDatabase({ dataDir: dir });
        t.teardown(() => db.destroy());
        await migrateToLatest(db);
        env.WORKER_DATA_DIR = dir;
      } else {
        db = await migratedTestDatabase(t, dialect);
        env.WORKER_DATABASE_URL = process.env.DATABASE_URL ?? '';
        env.WORKER_SCHEMA =
          (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]?.s ?? '';
      }
      const { tenant, passwords } = await seed(db, 60);
      const both = vaultOver(db, `1:${K1},2:${K2}`);
      await both.keys.create(both.db, tenant.tenantId, 'data');

      const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
        env: { PATH: process.env.PATH ?? '', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let rows = 0;
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk;
      });
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        child.on('exit', (_code, signal) => resolve(signal)),
      );
      await new Promise<void>((resolve) => {
        child.stdout.on('data', (chunk: Buffer) => {
          rows += chunk.toString().split('row').length - 1;
          if (rows >= 20) resolve();
        });
        void exited.then(() => resolve());
      });
      child.kill('SIGKILL');
      t.equal(await exited, 'SIGKILL', `killed mid-run (stderr: ${stderr.slice(0, 300)})`);

      const mixed = await dekVersions(db);
      t.equal(mixed.length, 2, `some credentials moved, some not: ${JSON.stringify(mixed)}`);
      await readable(t, both, tenant.tenantId, passwords); // both versions open meanwhile

      const rest = await rewrap(both);
      t.ok(rest.rewrapped > 0 && rest.rewrapped < 60, `the second run did only the rest (${rest.rewrapped})`);
      t.same(await dekVersions(db), [[2, 60]]);
      t.same(await retireUnused(both, tenant.tenantId), [1]);
      const onlyTwo = vaultOver(db, `2:${K2}`);
      await readable(t, onlyTwo, tenant.tenantId, passwords);
      t.ok((await onlyTwo.signingKey()).keyId);
      const clear = await sql<{
        n: number;
      }>`select count(*) as n from command_signing_key where private_key <> ''`.execute(db);
      t.equal(Number(clear.rows[0]?.n), 0, 'no signing key in the clear');
    },
  );
}
