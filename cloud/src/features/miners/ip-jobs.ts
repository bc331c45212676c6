import { sql } from 'kysely';
import type { Db } from '../../db/index.js';
import { type IpCipher, ipContext, NO_IP, protectIp, type StoredIp } from './ip.js';
import type { TenantIpCiphers } from './ip-ciphers.js';

// Rows written before migration 0014 (or by anything that still writes miner.ip) hold the address in clear. A
// migration has no keys, so the app seals them when it starts, in batches, each row by compare-and-swap on the
// clear value: an identity the ingest stored meanwhile (which never writes miner.ip) is newer and is left alone,
// and a second instance doing the same at once changes nothing twice. Interrupted, the next start goes on.

export const BACKFILL_BATCH = 500;

/** Seals every clear miner.ip and blanks it; returns how many rows it sealed. */
export async function sealPlaintextIps(
  db: Db,
  ciphers: TenantIpCiphers,
  batch = BACKFILL_BATCH,
): Promise<number> {
  let sealed = 0;
  for (;;) {
    const rows = await db
      .selectFrom('miner')
      .select(['agent_id', 'id', 'tenant_id', 'ip'])
      .where('ip', '<>', '')
      .limit(batch)
      .execute();
    if (rows.length === 0) return sealed;
    const updates: { row: (typeof rows)[number]; stored: StoredIp }[] = [];
    for (const row of rows) {
      // A miner without a tenant is nobody's to read and has no key to seal under: its address is dropped.
      const stored =
        row.tenant_id === null
          ? NO_IP
          : protectIp(await ciphers.get(row.tenant_id), row.agent_id, row.id, row.ip);
      updates.push({ row, stored });
    }
    // One transaction per batch: on SQLite one fsync instead of one per row.
    await db.transaction().execute(async (trx) => {
      for (const { row, stored } of updates) {
        const result = await trx
          .updateTable('miner')
          .set({ ip: '', ...stored })
          .where('agent_id', '=', row.agent_id)
          .where('id', '=', row.id)
          .where('ip', '=', row.ip)
          .executeTakeFirst();
        sealed += Number(result.numUpdatedRows);
      }
    });
  }
}

/**
 * Re-seals the tenant's miner addresses that are not under `cipher`'s current data key (the vault's rewrap job
 * calls it before retiring old key versions): each row opened and sealed again, written by compare-and-swap on
 * the old value, so an identity stored meanwhile wins and a killed run leaves every row old or new, both
 * readable until the old version is retired. Sealed values name their version as "<version>.…" (the vault's
 * FieldCipher). Returns how many rows it re-sealed; rows that no longer open are left for the vault to count.
 */
export async function resealMinerIps(
  db: Db,
  tenantId: string,
  cipher: IpCipher & { keyVersion: number },
  batch = BACKFILL_BATCH,
): Promise<number> {
  let resealed = 0;
  let after = '';
  const current = `${cipher.keyVersion}.%`;
  for (;;) {
    // One pass in (agent_id, id) order: rows that do not open stay behind the cursor instead of looping.
    let query = db
      .selectFrom('miner')
      .select(['agent_id', 'id', 'ip_enc'])
      .where('tenant_id', '=', tenantId)
      .where('ip_enc', '<>', '')
      .where('ip_enc', 'not like', current)
      .orderBy('agent_id')
      .orderBy('id')
      .limit(batch);
    if (after !== '') {
      const [agentId, minerId] = JSON.parse(after) as [string, string];
      query = query.where(sql<boolean>`(agent_id, id) > (${agentId}, ${minerId})`);
    }
    const rows = await query.execute();
    if (rows.length === 0) return resealed;
    await db.transaction().execute(async (trx) => {
      for (const row of rows) {
        const context = ipContext(row.agent_id, row.id);
        let plain: string;
        try {
          plain = cipher.open(row.ip_enc, context);
        } catch {
          continue;
        }
        const result = await trx
          .updateTable('miner')
          .set({ ip_enc: cipher.seal(plain, context) })
          .where('agent_id', '=', row.agent_id)
          .where('id', '=', row.id)
          .where('ip_enc', '=', row.ip_enc)
          .executeTakeFirst();
        resealed += Number(result.numUpdatedRows);
      }
    });
    const last = rows[rows.length - 1];
    after = JSON.stringify([last?.agent_id, last?.id]);
  }
}
