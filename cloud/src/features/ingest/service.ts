import type { hashinsight } from '@hashinsight/protocol';
import type { Db } from '../../db/index.js';
import { recordEvent } from '../../platform/index.js';
import { storeSamples } from '../telemetry/index.js';
import { UnknownAgentError } from './errors.js';
import { type IdentityFields, identityFields, sampleDetail, sampleRow, statusName } from './mapping.js';
import {
  applyBirth,
  applyDeath,
  getTelemetryMark,
  isActiveAgent,
  setTelemetryMark,
  upsertMiners,
  upsertMinersLatest,
} from './repository.js';

type TelemetryBatch = hashinsight.v1.TelemetryBatch.$Properties;
type AgentPresence = hashinsight.v1.AgentPresence.$Properties;
type MinerSample = hashinsight.v1.MinerSample.$Properties;

/** Stored; acknowledge `upToSeq` of `epoch`. `applied` new samples, `duplicates` already stored. */
export interface TelemetryOutcome {
  epoch: number;
  upToSeq: number;
  applied: number;
  duplicates: number;
  /**
   * Set when the batch's oldestUnackedSeq moved the mark past seqs this cloud never stored: the agent says
   * they were acknowledged earlier (e.g. by a cloud whose database has since been replaced), so they are
   * lost here.
   */
  skipped?: { fromSeq: number; toSeq: number };
}

interface MinerUpdate {
  identity: IdentityFields | undefined;
  latest: MinerSample;
  firstSeenAt: number;
  lastSeenAt: number;
}

/** One write per miner however many of its samples a batch holds: the newest sample and identity win. */
function collapseByMiner(samples: MinerSample[]): Map<string, MinerUpdate> {
  const miners = new Map<string, MinerUpdate>();
  for (const sample of samples) {
    const timeMs = sample.timeMs ?? 0;
    const identity = sample.identity ? identityFields(sample.identity) : undefined;
    const seen = miners.get(sample.minerId ?? '');
    if (seen === undefined) {
      miners.set(sample.minerId ?? '', { identity, latest: sample, firstSeenAt: timeMs, lastSeenAt: timeMs });
      continue;
    }
    if (identity) seen.identity = identity;
    if (timeMs > (seen.latest.timeMs ?? 0)) seen.latest = sample;
    seen.firstSeenAt = Math.min(seen.firstSeenAt, timeMs);
    seen.lastSeenAt = Math.max(seen.lastSeenAt, timeMs);
  }
  return miners;
}

/**
 * Stores one decoded telemetry batch of `agentId` in a single transaction and advances the high-water mark of
 * the batch's epoch (every sample of that epoch up to it is stored). Each epoch is its own stream, so a
 * backlog of an old epoch replayed after newer ones is stored and acked too. A reinstalled agent needs
 * nothing special: a new agent store starts its epochs at the current Unix time in seconds, so they are
 * newer than any epoch its old store used. The batch's oldestUnackedSeq first lifts the mark to
 * oldestUnackedSeq - 1: the agent no longer holds anything below it, so waiting for those seqs (say, after
 * this database was restored or replaced) would stall the epoch forever. Samples at or below the mark are
 * duplicates and skipped. The mark then only moves through contiguous sequence numbers: after a gap it stays
 * put until the agent replays.
 */
export async function ingestTelemetry(
  db: Db,
  agentId: string,
  batch: TelemetryBatch,
  nowMs: number,
): Promise<TelemetryOutcome> {
  const epoch = batch.epoch ?? 0;
  const samples = batch.samples ?? [];
  return db.transaction().execute(async (trx) => {
    if (!(await isActiveAgent(trx, agentId))) throw new UnknownAgentError(agentId);
    const stored = await getTelemetryMark(trx, agentId, epoch);
    const oldestUnacked = batch.oldestUnackedSeq ?? 0;
    let upToSeq = oldestUnacked > 0 ? Math.max(stored, oldestUnacked - 1) : stored;
    const skipped = upToSeq > stored ? { fromSeq: stored + 1, toSeq: upToSeq } : undefined;
    const fresh = samples.filter((sample) => (sample.seq ?? 0) > upToSeq);

    // Raw history, miners and their latest state: a few multi-row statements per batch, not a few per sample.
    await storeSamples(
      trx,
      fresh.map((sample) => sampleRow(agentId, sample)),
      nowMs,
    );
    const miners = [...collapseByMiner(fresh)];
    await upsertMiners(
      trx,
      agentId,
      miners.map(([id, update]) => ({
        id,
        identity: update.identity,
        firstSeenAt: update.firstSeenAt,
        lastSeenAt: update.lastSeenAt,
      })),
    );
    await upsertMinersLatest(
      trx,
      agentId,
      miners.map(([minerId, { latest }]) => ({
        minerId,
        timeMs: latest.timeMs ?? 0,
        status: statusName(latest.status),
        hashrateMhs: latest.hashrateMhs ?? 0,
        hashrateAvgMhs: latest.hashrateAvgMhs ?? 0,
        hashrateExpectedMhs: latest.hashrateExpectedMhs ?? 0,
        powerW: latest.powerW ?? null,
        uptimeS: latest.uptimeS ?? 0,
        detail: JSON.stringify(sampleDetail(latest)),
        pollError: latest.pollError ?? '',
      })),
    );

    for (const sample of fresh) {
      if (sample.seq !== upToSeq + 1) break;
      upToSeq = sample.seq;
    }
    await setTelemetryMark(trx, agentId, { epoch, upToSeq }, nowMs);
    const outcome: TelemetryOutcome = {
      epoch,
      upToSeq,
      applied: fresh.length,
      duplicates: samples.length - fresh.length,
    };
    if (skipped !== undefined) outcome.skipped = skipped;
    return outcome;
  });
}

export interface PresenceOutcome {
  kind: 'birth' | 'death';
  epoch: number;
  /** False when the message belonged to an older epoch than the stored one and was ignored. */
  applied: boolean;
}

/** Applies an agent's birth or death; messages of an epoch older than the stored one are ignored. */
/**
 * An applied birth or death as an event (agent.online, agent.offline), in the presence transaction so the
 * event exists exactly when the change does. Scoped to the agent's tenant.
 */
async function recordPresenceEvent(
  trx: Db,
  agentId: string,
  type: 'agent.online' | 'agent.offline',
  epoch: number,
  nowMs: number,
): Promise<void> {
  const agent = await trx
    .selectFrom('agent')
    .select(['tenant_id', 'site_id', 'hostname'])
    .where('id', '=', agentId)
    .executeTakeFirst();
  await recordEvent(
    trx,
    {
      type,
      tenantId: agent?.tenant_id ?? null,
      payload: { agentId, siteId: agent?.site_id ?? null, epoch, hostname: agent?.hostname ?? '' },
    },
    nowMs,
  );
}

export async function applyPresence(
  db: Db,
  agentId: string,
  presence: AgentPresence,
  nowMs: number,
): Promise<PresenceOutcome> {
  return db.transaction().execute(async (trx) => {
    if (!(await isActiveAgent(trx, agentId))) throw new UnknownAgentError(agentId);
    if (presence.birth) {
      const epoch = presence.birth.epoch ?? 0;
      const applied = await applyBirth(
        trx,
        agentId,
        {
          epoch,
          hostname: presence.birth.hostname ?? '',
          agentVersion: presence.birth.agentVersion ?? '',
        },
        nowMs,
      );
      if (applied) await recordPresenceEvent(trx, agentId, 'agent.online', epoch, nowMs);
      return { kind: 'birth', epoch, applied };
    }
    const epoch = presence.death?.epoch ?? 0;
    const applied = await applyDeath(trx, agentId, epoch, nowMs);
    if (applied) await recordPresenceEvent(trx, agentId, 'agent.offline', epoch, nowMs);
    return { kind: 'death', epoch, applied };
  });
}
