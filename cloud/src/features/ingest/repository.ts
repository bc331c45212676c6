import type { Db } from '../../db/index.js';
import type { IdentityFields } from './mapping.js';
import type { MinerLatest, MinerSeen } from './plan.js';

export type { MinerLatest, MinerSeen } from './plan.js';

// Pure Kysely, `db` (or a transaction) first. Conditional writes use plain WHERE clauses that SQLite and
// PostgreSQL both accept.

/**
 * Whether `agentId` is an enrolled agent that is not revoked. Agent rows come from enrollment only; messages of
 * any other id are refused, whichever broker let them through.
 */
export async function isActiveAgent(db: Db, agentId: string): Promise<boolean> {
  return (await activeAgent(db, agentId)) !== undefined;
}

/** The tenancy of `agentId` when it is enrolled and not revoked (what its new miners inherit), else undefined. */
export async function activeAgent(db: Db, agentId: string): Promise<AgentTenancy | undefined> {
  const row = await db
    .selectFrom('agent')
    .select(['revoked_at', 'tenant_id', 'site_id'])
    .where('id', '=', agentId)
    .executeTakeFirst();
  if (row === undefined || row.revoked_at !== null) return undefined;
  return { tenant_id: row.tenant_id, site_id: row.site_id };
}

export interface AgentTenancy {
  tenant_id: string | null;
  site_id: string | null;
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

// Bound parameters per statement stay under SQLite's 32,766 (PostgreSQL allows 65,535) at 12 columns a row.
const ROWS_PER_STATEMENT = 2000;

function* chunks<T>(rows: readonly T[]): Generator<T[]> {
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    yield rows.slice(start, start + ROWS_PER_STATEMENT);
  }
}

const NO_IDENTITY: IdentityFields = {
  ip: '',
  mac: '',
  serial: '',
  vendor: 'unknown',
  model: '',
  firmware: '',
  hostname: '',
};

/**
 * Creates or updates `agentId`'s miners, one multi-row statement for those whose samples carried an identity
 * (identity fields replaced) and one for the rest (identity kept). first/last seen only ever widen, so a replayed
 * old sample does not move them back. New miners get the agent's tenant and site; assignment to a customer is a
 * separate, later act. Another agent's miner with the same id is a different miner. Each id once per call.
 */
export async function upsertMiners(
  db: Db,
  agentId: string,
  agent: AgentTenancy,
  miners: readonly MinerSeen[],
): Promise<void> {
  if (miners.length === 0) return;
  for (const withIdentity of [true, false]) {
    const group = miners.filter((miner) => (miner.identity !== undefined) === withIdentity);
    for (const chunk of chunks(group)) {
      await db
        .insertInto('miner')
        .values(
          chunk.map((miner) => ({
            id: miner.id,
            agent_id: agentId,
            ...(miner.identity ?? NO_IDENTITY),
            tenant_id: agent.tenant_id,
            site_id: agent.site_id,
            first_seen_at: miner.firstSeenAt,
            last_seen_at: miner.lastSeenAt,
          })),
        )
        .onConflict((oc) =>
          oc.columns(['agent_id', 'id']).doUpdateSet((eb) => ({
            ...(withIdentity
              ? {
                  ip: eb.ref('excluded.ip'),
                  mac: eb.ref('excluded.mac'),
                  serial: eb.ref('excluded.serial'),
                  vendor: eb.ref('excluded.vendor'),
                  model: eb.ref('excluded.model'),
                  firmware: eb.ref('excluded.firmware'),
                  hostname: eb.ref('excluded.hostname'),
                }
              : {}),
            first_seen_at: eb
              .case()
              .when('miner.first_seen_at', '>', eb.ref('excluded.first_seen_at'))
              .then(eb.ref('excluded.first_seen_at'))
              .else(eb.ref('miner.first_seen_at'))
              .end(),
            last_seen_at: eb
              .case()
              .when('miner.last_seen_at', '<', eb.ref('excluded.last_seen_at'))
              .then(eb.ref('excluded.last_seen_at'))
              .else(eb.ref('miner.last_seen_at'))
              .end(),
          })),
        )
        .execute();
    }
  }
}

/**
 * Writes the latest sample of each of `agentId`'s miners unless a newer one (by poll time) is already stored,
 * so a historical backfill or a replay never replaces a fresher state. Each miner once per call.
 */
export async function upsertMinersLatest(
  db: Db,
  agentId: string,
  latest: readonly MinerLatest[],
): Promise<void> {
  for (const chunk of chunks(latest)) {
    await db
      .insertInto('miner_latest')
      .values(
        chunk.map((row) => ({
          agent_id: agentId,
          miner_id: row.minerId,
          time_ms: row.timeMs,
          status: row.status,
          hashrate_mhs: row.hashrateMhs,
          hashrate_avg_mhs: row.hashrateAvgMhs,
          hashrate_expected_mhs: row.hashrateExpectedMhs,
          power_w: row.powerW,
          uptime_s: row.uptimeS,
          detail: row.detail,
          poll_error: row.pollError,
        })),
      )
      .onConflict((oc) =>
        oc
          .columns(['agent_id', 'miner_id'])
          .doUpdateSet((eb) => ({
            time_ms: eb.ref('excluded.time_ms'),
            status: eb.ref('excluded.status'),
            hashrate_mhs: eb.ref('excluded.hashrate_mhs'),
            hashrate_avg_mhs: eb.ref('excluded.hashrate_avg_mhs'),
            hashrate_expected_mhs: eb.ref('excluded.hashrate_expected_mhs'),
            power_w: eb.ref('excluded.power_w'),
            uptime_s: eb.ref('excluded.uptime_s'),
            detail: eb.ref('excluded.detail'),
            poll_error: eb.ref('excluded.poll_error'),
          }))
          .where((eb) => eb('miner_latest.time_ms', '<', eb.ref('excluded.time_ms'))),
      )
      .execute();
  }
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
