import type { Db } from '../../db/index.js';

// Pure Kysely, `db` (or a transaction) first. Conditional writes use plain WHERE clauses that SQLite and
// PostgreSQL both accept. The telemetry writes are dialect-specific: sqlite-writer.ts and postgres-writer.ts.

/**
 * Whether `agentId` is an enrolled agent that is not revoked. Agent rows come from enrollment only; messages of
 * any other id are refused, whichever broker let them through.
 */
export async function isActiveAgent(db: Db, agentId: string): Promise<boolean> {
  const row = await db.selectFrom('agent').select('revoked_at').where('id', '=', agentId).executeTakeFirst();
  return row !== undefined && row.revoked_at === null;
}

/** Marks the agent online in `epoch` unless a later epoch was already seen; returns whether it applied. */
export async function applyBirth(
  db: Db,
  agentId: string,
  birth: { epoch: number; hostname: string; agentVersion: string; backlogSamples: number },
  nowMs: number,
): Promise<boolean> {
  const result = await db
    .updateTable('agent')
    .set({
      epoch: birth.epoch,
      online: 1,
      hostname: birth.hostname,
      agent_version: birth.agentVersion,
      last_seen_at: nowMs,
      backlog_samples: birth.backlogSamples,
    })
    .where('id', '=', agentId)
    .where('epoch', '<=', birth.epoch)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Marks the agent offline unless the death belongs to an epoch older than the current one. */
export async function applyDeath(db: Db, agentId: string, epoch: number, nowMs: number): Promise<boolean> {
  const result = await db
    .updateTable('agent')
    .set({ epoch, online: 0, last_seen_at: nowMs })
    .where('id', '=', agentId)
    .where('epoch', '<=', epoch)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Moves the mark of `epoch` up to `seq` unless it is there already; returns the mark before (0 when none). The
 * agent dropped everything up to `seq` that it had not had acknowledged, so nothing below it will ever come.
 */
export async function moveMarkPast(
  db: Db,
  agentId: string,
  epoch: number,
  seq: number,
  nowMs: number,
): Promise<number> {
  const before = await db
    .selectFrom('telemetry_stream')
    .select('up_to_seq')
    .where('agent_id', '=', agentId)
    .where('epoch', '=', epoch)
    .executeTakeFirst();
  await db
    .insertInto('telemetry_stream')
    .values({ agent_id: agentId, epoch, up_to_seq: seq, updated_at: nowMs })
    .onConflict((oc) =>
      oc
        .columns(['agent_id', 'epoch'])
        .doUpdateSet({ up_to_seq: seq, updated_at: nowMs })
        .where('telemetry_stream.up_to_seq', '<', seq),
    )
    .execute();
  return Number(before?.up_to_seq ?? 0);
}

/** The tenant and site an agent belongs to; both are fixed at enrollment. Undefined for an unknown agent. */
export async function agentPlace(
  db: Db,
  agentId: string,
): Promise<{ tenantId: string | null; siteId: string | null } | undefined> {
  const row = await db
    .selectFrom('agent')
    .select(['tenant_id', 'site_id'])
    .where('id', '=', agentId)
    .executeTakeFirst();
  return row === undefined ? undefined : { tenantId: row.tenant_id, siteId: row.site_id };
}
