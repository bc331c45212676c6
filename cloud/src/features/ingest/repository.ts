import type { Db } from '../../db/index.js';
import type { IdentityFields } from './mapping.js';

// Pure Kysely, `db` (or a transaction) first. Conditional writes use plain WHERE clauses that SQLite and
// PostgreSQL both accept.

/**
 * Registers an agent on its first message. Until agents enroll per site, a new one joins the first site (the
 * default one on a single box).
 */
export async function insertAgentIfMissing(db: Db, agentId: string, nowMs: number): Promise<void> {
  const site = await db
    .selectFrom('site')
    .select(['id', 'tenant_id'])
    .orderBy('created_at')
    .orderBy('id')
    .executeTakeFirst();
  await db
    .insertInto('agent')
    .values({
      id: agentId,
      tenant_id: site?.tenant_id ?? null,
      site_id: site?.id ?? null,
      epoch: 0,
      online: 0,
      hostname: '',
      agent_version: '',
      last_seen_at: null,
      created_at: nowMs,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

/** Highest contiguous seq stored for the agent's `epoch` (0 for an epoch not seen yet). */
export async function getTelemetryMark(db: Db, agentId: string, epoch: number): Promise<number> {
  const row = await db
    .selectFrom('telemetry_stream')
    .select('up_to_seq')
    .where('agent_id', '=', agentId)
    .where('epoch', '=', epoch)
    .executeTakeFirst();
  return Number(row?.up_to_seq ?? 0);
}

export async function setTelemetryMark(
  db: Db,
  agentId: string,
  mark: { epoch: number; upToSeq: number },
  nowMs: number,
): Promise<void> {
  await db
    .insertInto('telemetry_stream')
    .values({ agent_id: agentId, epoch: mark.epoch, up_to_seq: mark.upToSeq, updated_at: nowMs })
    .onConflict((oc) =>
      oc.columns(['agent_id', 'epoch']).doUpdateSet({ up_to_seq: mark.upToSeq, updated_at: nowMs }),
    )
    .execute();
  await db.updateTable('agent').set({ last_seen_at: nowMs }).where('id', '=', agentId).execute();
}

/**
 * Creates `agentId`'s miner `id` or updates it; identity fields are replaced only when the sample carried
 * an identity. first/last seen only ever widen, so a replayed old sample does not move them back. Another
 * agent's miner with the same id is a different miner.
 */
export async function upsertMiner(
  db: Db,
  miner: {
    id: string;
    agentId: string;
    identity: IdentityFields | undefined;
    firstSeenAt: number;
    lastSeenAt: number;
  },
): Promise<void> {
  const identity = miner.identity ?? {
    ip: '',
    mac: '',
    serial: '',
    vendor: 'unknown',
    model: '',
    firmware: '',
    hostname: '',
  };
  await db
    .insertInto('miner')
    .values((eb) => ({
      id: miner.id,
      agent_id: miner.agentId,
      ...identity,
      // The agent's tenant and site at first sight; assignment to a customer is a separate, later act.
      tenant_id: eb.selectFrom('agent').select('agent.tenant_id').where('agent.id', '=', miner.agentId),
      site_id: eb.selectFrom('agent').select('agent.site_id').where('agent.id', '=', miner.agentId),
      first_seen_at: miner.firstSeenAt,
      last_seen_at: miner.lastSeenAt,
    }))
    .onConflict((oc) =>
      oc.columns(['agent_id', 'id']).doUpdateSet((eb) => ({
        ...miner.identity,
        first_seen_at: eb
          .case()
          .when('miner.first_seen_at', '>', miner.firstSeenAt)
          .then(miner.firstSeenAt)
          .else(eb.ref('miner.first_seen_at'))
          .end(),
        last_seen_at: eb
          .case()
          .when('miner.last_seen_at', '<', miner.lastSeenAt)
          .then(miner.lastSeenAt)
          .else(eb.ref('miner.last_seen_at'))
          .end(),
      })),
    )
    .execute();
}

/** Writes the latest sample of `agentId`'s miner unless a newer one (by poll time) is already stored. */
export async function upsertMinerLatest(
  db: Db,
  latest: {
    minerId: string;
    agentId: string;
    timeMs: number;
    status: string;
    hashrateMhs: number;
    hashrateAvgMhs: number;
    hashrateExpectedMhs: number;
    powerW: number | null;
    uptimeS: number;
    detail: string;
    pollError: string;
  },
): Promise<void> {
  const row = {
    time_ms: latest.timeMs,
    status: latest.status,
    hashrate_mhs: latest.hashrateMhs,
    hashrate_avg_mhs: latest.hashrateAvgMhs,
    hashrate_expected_mhs: latest.hashrateExpectedMhs,
    power_w: latest.powerW,
    uptime_s: latest.uptimeS,
    detail: latest.detail,
    poll_error: latest.pollError,
  };
  await db
    .insertInto('miner_latest')
    .values({ agent_id: latest.agentId, miner_id: latest.minerId, ...row })
    .onConflict((oc) =>
      oc.columns(['agent_id', 'miner_id']).doUpdateSet(row).where('miner_latest.time_ms', '<', latest.timeMs),
    )
    .execute();
}

/** Marks the agent online in `epoch` unless a later epoch was already seen; returns whether it applied. */
export async function applyBirth(
  db: Db,
  agentId: string,
  birth: { epoch: number; hostname: string; agentVersion: string },
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
