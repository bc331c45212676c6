import { credentialAad, openBlob, sealBlob } from '@hashinsight/vault';
import { sql } from 'kysely';
import type { Db } from '../../db/index.js';
import { resealMinerIps } from '../miners/index.js';
import { dataKeyContext } from './keys.js';
import { signingKeyContext, type Vault } from './service.js';
import type { VaultDb } from './tables.js';

// The rewrap job: moves every stored secret under the newest keys — data keys and the command signing key under
// the newest master-key version, credential versions and sealed miner IPs under their tenant's newest data key. Each row is read,
// re-encrypted in memory and written back by ONE compare-and-swap statement on its row_version: a process killed
// anywhere leaves each row either untouched (old keys, still readable: nothing is retired before the job is
// done) or fully moved, and a second run picks up exactly what is left. Rows changed meanwhile by someone else
// are skipped by the CAS and taken by the next run.

export interface RewrapOptions {
  /** Only this tenant's data keys and credentials (the signing key is the cloud's and always included). */
  tenantId?: string;
  /** Rows per read (tests lower it). */
  batchSize?: number;
  /** Called after each row is written (tests: progress and crash points). */
  afterRow?: (what: 'data-key' | 'signing-key' | 'credential') => void | Promise<void>;
}

export interface RewrapResult {
  rewrapped: number;
  /** CAS misses: rows someone else changed meanwhile. */
  skipped: number;
}

export async function rewrap(vault: Vault, options: RewrapOptions = {}): Promise<RewrapResult> {
  const result: RewrapResult = { rewrapped: 0, skipped: 0 };
  const tally = async (written: boolean, what: 'data-key' | 'signing-key' | 'credential') => {
    if (written) result.rewrapped += 1;
    else result.skipped += 1;
    await options.afterRow?.(what);
  };
  const { db } = vault;
  const master = vault.keys.masterKey;

  // 1. Data keys under an older master-key version.
  let dataKeys = db
    .selectFrom('vault_data_key')
    .selectAll()
    .where('kek_version', '!=', master.currentVersion)
    .where('retired_at', 'is', null);
  if (options.tenantId !== undefined) dataKeys = dataKeys.where('tenant_id', '=', options.tenantId);
  for (const row of await dataKeys.execute()) {
    const context = dataKeyContext(row.tenant_id, row.kind, row.version);
    const key = await vault.keys.open(row);
    const wrapped = await master.wrap(key, context);
    const updated = await db
      .updateTable('vault_data_key')
      .set({
        wrapped_key: wrapped.blob.toString('base64'),
        kek_version: wrapped.version,
        row_version: row.row_version + 1,
      })
      .where('tenant_id', '=', row.tenant_id)
      .where('kind', '=', row.kind)
      .where('version', '=', row.version)
      .where('row_version', '=', row.row_version)
      .executeTakeFirst();
    await tally(Number(updated.numUpdatedRows) === 1, 'data-key');
  }

  // 2. The command signing keys: clear ones (from migration 0009) and those under an older master key.
  await protectSigningKeys(vault, tally);

  // 3. Credential versions and sealed miner IPs under an older data key of their tenant.
  const tenants = await db
    .selectFrom('vault_data_key')
    .select('tenant_id')
    .distinct()
    .$if(options.tenantId !== undefined, (q) => q.where('tenant_id', '=', options.tenantId ?? ''))
    .execute();
  for (const { tenant_id: tenantId } of tenants) {
    const current = await vault.keys.current(db, tenantId, 'data');
    let after = '';
    for (;;) {
      const rows = await db
        .selectFrom('credential_version')
        .innerJoin('credential', 'credential.id', 'credential_version.credential_id')
        .select([
          'credential_version.credential_id',
          'credential_version.version',
          'credential_version.dek_version',
          'credential_version.ciphertext',
          'credential_version.row_version',
          'credential.scope_key',
        ])
        .where('credential_version.tenant_id', '=', tenantId)
        .where('credential_version.dek_version', '!=', current.version)
        .where(sql<string>`credential_version.credential_id || '/' || credential_version.version`, '>', after)
        .orderBy(sql`credential_version.credential_id || '/' || credential_version.version`)
        .limit(options.batchSize ?? 100)
        .execute();
      if (rows.length === 0) break;
      for (const row of rows) {
        after = `${row.credential_id}/${row.version}`;
        const aad = credentialAad(tenantId, row.scope_key, row.credential_id, row.version);
        const oldKey = await vault.keys.byVersion(db, tenantId, 'data', row.dek_version);
        const plaintext = openBlob(oldKey, Buffer.from(row.ciphertext, 'base64'), aad);
        const blob = sealBlob(current.key, plaintext, aad);
        plaintext.fill(0);
        await vault.keys.count(db, tenantId, current.version, 1);
        const updated = await db
          .updateTable('credential_version')
          .set({
            ciphertext: blob.toString('base64'),
            dek_version: current.version,
            row_version: row.row_version + 1,
          })
          .where('credential_id', '=', row.credential_id)
          .where('version', '=', row.version)
          .where('row_version', '=', row.row_version)
          .executeTakeFirst();
        await tally(Number(updated.numUpdatedRows) === 1, 'credential');
      }
    }
    // The miners feature owns the IP columns and their contexts; it re-seals with the tenant's current key.
    result.rewrapped += await resealMinerIps(
      db as unknown as Db,
      tenantId,
      await vault.fieldCipher(tenantId),
    );
  }
  return result;
}

/** Wraps every clear signing key and re-wraps those under an older master key (also run at the vault's start). */
export async function protectSigningKeys(
  vault: Vault,
  tally: (written: boolean, what: 'signing-key') => Promise<void> = async () => {},
): Promise<void> {
  const { db } = vault;
  const master = vault.keys.masterKey;
  const rows = await db
    .selectFrom('command_signing_key')
    .select(['id', 'private_key', 'private_key_wrapped', 'kek_version', 'row_version'])
    .where((eb) => eb.or([eb('private_key', '!=', ''), eb('kek_version', '!=', master.currentVersion)]))
    .execute();
  for (const row of rows) {
    const context = signingKeyContext(row.id);
    const pem =
      row.private_key !== ''
        ? Buffer.from(row.private_key, 'utf8')
        : await master.unwrap(
            { version: row.kek_version, blob: Buffer.from(row.private_key_wrapped, 'base64') },
            context,
          );
    const wrapped = await master.wrap(pem, context);
    pem.fill(0);
    const updated = await db
      .updateTable('command_signing_key')
      .set({
        private_key_wrapped: wrapped.blob.toString('base64'),
        kek_version: wrapped.version,
        private_key: '',
        row_version: row.row_version + 1,
      })
      .where('id', '=', row.id)
      .where('row_version', '=', row.row_version)
      .executeTakeFirst();
    await tally(Number(updated.numUpdatedRows) === 1, 'signing-key');
  }
}

/**
 * Retires the tenant's data-key versions below the current one that nothing is encrypted under any more (no
 * credential version, no sealed miner IP): their wrapped key is blanked, so they can never decrypt again — the
 * minimum decryption version moves up. With `graceMs`, nothing is retired while the current version is younger
 * than that. Returns the retired versions.
 */
export async function retireUnused(
  vault: Vault,
  tenantId: string,
  { graceMs = 0 }: { graceMs?: number } = {},
): Promise<number[]> {
  const { db } = vault;
  const current = await vault.keys.current(db, tenantId, 'data');
  const retired: number[] = [];
  // Instances keep a tenant's resolved ciphers for a few seconds (miners/ip-ciphers.ts): until those have
  // expired, another instance may still seal a miner IP under the previous version, which a retirement now would
  // make unreadable for good.
  const createdAt = await db
    .selectFrom('vault_data_key')
    .select('created_at')
    .where('tenant_id', '=', tenantId)
    .where('kind', '=', 'data')
    .where('version', '=', current.version)
    .executeTakeFirst();
  if (createdAt !== undefined && Number(createdAt.created_at) > vault.now() - graceMs) return [];
  const candidates = await db
    .selectFrom('vault_data_key')
    .select('version')
    .where('tenant_id', '=', tenantId)
    .where('kind', '=', 'data')
    .where('version', '<', current.version)
    .where('retired_at', 'is', null)
    .execute();
  for (const { version } of candidates) {
    const done = await db.transaction().execute(async (trx) => {
      if ((await usesOf(trx, tenantId, version)) > 0) return false;
      await trx
        .updateTable('vault_data_key')
        .set((eb) => ({ wrapped_key: '', retired_at: vault.now(), row_version: eb('row_version', '+', 1) }))
        .where('tenant_id', '=', tenantId)
        .where('kind', '=', 'data')
        .where('version', '=', version)
        .execute();
      return true;
    });
    if (done) retired.push(version);
  }
  return retired;
}

/** Stored values still encrypted under one data-key version. */
async function usesOf(db: VaultDb, tenantId: string, version: number): Promise<number> {
  const credentials = await db
    .selectFrom('credential_version')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('dek_version', '=', version)
    .executeTakeFirst();
  // Miner IPs (migration 0014) are sealed as "<version>.<base64>".
  const ips = await sql<{ n: number }>`select count(*) as n from miner
    where tenant_id = ${tenantId} and ip_enc like ${`${version}.%`}`.execute(db);
  return Number(credentials?.n ?? 0) + Number(ips.rows[0]?.n ?? 0);
}

/** Rows of the tenant (and the cloud's signing keys) not yet under the newest keys. */
export async function needRewrap(vault: Vault, tenantId: string): Promise<number> {
  const { db } = vault;
  const master = vault.keys.masterKey.currentVersion;
  const current = await vault.keys.current(db, tenantId, 'data');
  const count = async (query: Promise<{ n: number | string | bigint } | undefined>) =>
    Number((await query)?.n ?? 0);
  return (
    (await count(
      db
        .selectFrom('vault_data_key')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('tenant_id', '=', tenantId)
        .where('retired_at', 'is', null)
        .where('kek_version', '!=', master)
        .executeTakeFirst(),
    )) +
    (await count(
      db
        .selectFrom('credential_version')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('tenant_id', '=', tenantId)
        .where('dek_version', '!=', current.version)
        .executeTakeFirst(),
    )) +
    (await count(
      db
        .selectFrom('command_signing_key')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where((eb) => eb.or([eb('private_key', '!=', ''), eb('kek_version', '!=', master)]))
        .executeTakeFirst(),
    ))
  );
}
