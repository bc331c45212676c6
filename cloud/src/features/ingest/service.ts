import type { hashinsight } from '@hashinsight/protocol';
import { type Db, dialectOf, sqliteHandleOf } from '../../db/index.js';
import { recordEvent } from '../../platform/index.js';
import type { IpProtector, TenantIpCiphers } from '../miners/index.js';
import { UnknownAgentError } from './errors.js';
import type { TelemetryOutcome } from './plan.js';
import { ingestPostgres } from './postgres-writer.js';
import { applyBirth, applyDeath, isActiveAgent, moveMarkPast } from './repository.js';
import { sqliteWriterOf } from './sqlite-writer.js';

export type { TelemetryOutcome } from './plan.js';

type TelemetryBatch = hashinsight.v1.TelemetryBatch.$Properties;
type AgentPresence = hashinsight.v1.AgentPresence.$Properties;
type TelemetryGap = hashinsight.v1.ITelemetryGap;

/** A gap as this cloud saw it: `missing` samples (seqs missingFrom..lastSeq) it never stored and never will. */
export interface GapOutcome {
  epoch: number;
  firstSeq: number;
  lastSeq: number;
  /** 0 when this cloud already had everything up to lastSeq (stored, or the gap was reported before). */
  missing: number;
}

/**
 * Records the samples `agentId` dropped unsent (its outbox hit its disk budget): each epoch's mark moves past
 * the gap, so the acks of later samples are not held back waiting for seqs that will never come, and each gap
 * that hid samples from this cloud becomes a telemetry.gap event for the agent's tenant — in one transaction,
 * before the batch carrying it is stored and acked. A gap reported again (its first ack was lost) or covering
 * samples this cloud had stored anyway finds the mark there already and records nothing.
 */
export async function recordGaps(
  db: Db,
  agentId: string,
  gaps: readonly TelemetryGap[],
  nowMs: number,
): Promise<GapOutcome[]> {
  return db.transaction().execute(async (trx) => {
    const agent = await trx
      .selectFrom('agent')
      .select(['tenant_id', 'site_id', 'revoked_at'])
      .where('id', '=', agentId)
      .executeTakeFirst();
    if (agent === undefined || agent.revoked_at !== null) throw new UnknownAgentError(agentId);
    const outcomes: GapOutcome[] = [];
    for (const gap of gaps) {
      const epoch = gap.epoch ?? 0;
      const firstSeq = gap.firstSeq ?? 0;
      const lastSeq = gap.lastSeq ?? 0;
      const before = await moveMarkPast(trx, agentId, epoch, lastSeq, nowMs);
      const missingFrom = Math.max(before + 1, firstSeq);
      const missing = Math.max(0, lastSeq - missingFrom + 1);
      outcomes.push({ epoch, firstSeq, lastSeq, missing });
      if (missing === 0) continue;
      await recordEvent(
        trx,
        {
          type: 'telemetry.gap',
          tenantId: agent.tenant_id,
          payload: {
            agentId,
            siteId: agent.site_id,
            epoch,
            firstSeq,
            lastSeq,
            missingFromSeq: missingFrom,
            samples: gap.samples ?? 0,
            oldestTimeMs: gap.oldestTimeMs ?? 0,
            newestTimeMs: gap.newestTimeMs ?? 0,
            droppedAtMs: gap.droppedAtMs ?? 0,
            reason: gap.reason === 1 ? 'disk_budget' : 'unspecified',
          },
        },
        nowMs,
      );
    }
    return outcomes;
  });
}

/**
 * Stores one decoded telemetry batch of `agentId` in a single transaction and advances the high-water mark of
 * the batch's epoch (every sample of that epoch up to it is stored; planBatch has the rules). Each epoch is its
 * own stream, so a backlog of an old epoch replayed after newer ones is stored and acked too. A reinstalled
 * agent needs nothing special: a new agent store starts its epochs at the current Unix time in seconds, so they
 * are newer than any epoch its old store used. Resolves only after the commit, so the caller may ack then.
 *
 * On SQLite the batch shares its commit with the batches of other agents queued meanwhile (sqlite-writer.ts);
 * on PostgreSQL it is a transaction of its own with one statement per table (postgres-writer.ts).
 *
 * Miner addresses are stored sealed under the agent's tenant's key from `ips` (features/miners/ip.ts); without
 * `ips` they are not stored at all, never in clear.
 */
export async function ingestTelemetry(
  db: Db,
  agentId: string,
  batch: TelemetryBatch,
  nowMs: number,
  ips?: TenantIpCiphers,
): Promise<TelemetryOutcome> {
  const protect = ips === undefined ? undefined : await identityProtector(db, agentId, batch, ips);
  if (dialectOf(db) === 'postgres') return ingestPostgres(db, agentId, batch, nowMs, protect);
  const sqlite = sqliteHandleOf(db);
  // A transaction's Kysely has no handle: the group commit makes its own transactions.
  if (sqlite === undefined) throw new Error('ingestTelemetry needs the database openDatabase returned');
  return sqliteWriterOf(db, sqlite).submit(agentId, batch, nowMs, protect);
}

/**
 * What seals the addresses of the agent's tenant when some sample of `batch` carries one, else undefined: the
 * agent sends identities once per session and on change, so most batches cost nothing here, and those that do
 * cost one indexed read plus the (cached) cipher.
 */
async function identityProtector(
  db: Db,
  agentId: string,
  batch: TelemetryBatch,
  ips: TenantIpCiphers,
): Promise<IpProtector | undefined> {
  if (!(batch.samples ?? []).some((sample) => (sample.identity?.ip?.length ?? 0) > 0)) return undefined;
  const agent = await db.selectFrom('agent').select('tenant_id').where('id', '=', agentId).executeTakeFirst();
  // No tenant (or no agent, which the writer refuses): no key, and the address is not stored.
  if (agent?.tenant_id == null) return undefined;
  return ips.protector(agent.tenant_id, await ips.get(agent.tenant_id));
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
          backlogSamples: presence.birth.backlogSamples ?? 0,
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
