import type { Db } from '../../db/index.js';
import { NO_IP, protectIp, type StoredIp } from './ip.js';
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
