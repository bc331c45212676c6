import type { hashinsight } from '@hashinsight/protocol';
import { sql } from 'kysely';
import type { Db } from '../../db/index.js';
import type { IpProtector } from '../miners/index.js';
import { insertSamples, markDirtyHours } from '../telemetry/index.js';
import { UnknownAgentError } from './errors.js';
import { IDENTITY_COLUMNS, NO_IDENTITY, protectIdentity } from './mapping.js';
import { type MinerLatest, type MinerSeen, planBatch, type TelemetryOutcome } from './plan.js';

// The PostgreSQL ingest: one transaction per batch (the pool runs several agents' batches at once and the
// server flushes their commits together), one statement per table whatever the batch size. Rows travel as one
// array per column through unnest(), so the statement text is the same for every batch (cheap to parse, no
// thousands of bind parameters to plan) — the same writes as the SQLite writer, in PostgreSQL's words.

type TelemetryBatch = hashinsight.v1.TelemetryBatch.$Properties;

/** Stores `batch` of `agentId` in a transaction of its own; resolves after the commit. */
export function ingestPostgres(
  db: Db,
  agentId: string,
  batch: TelemetryBatch,
  nowMs: number,
  protect?: IpProtector,
): Promise<TelemetryOutcome> {
  const epoch = batch.epoch ?? 0;
  return db.transaction().execute(async (trx) => {
    // Whether the agent may send and what its new miners inherit. The row lock serializes one agent's batches
    // across cloud instances (a shared subscription may hand neighbouring batches to two of them), so each
    // plans from the mark the previous one committed.
    const { rows } = await sql<{
      revoked_at: number | null;
      tenant_id: string | null;
      site_id: string | null;
    }>`select revoked_at, tenant_id, site_id from agent where id = ${agentId} for update`.execute(trx);
    const agent = rows[0];
    if (agent === undefined || agent.revoked_at !== null) throw new UnknownAgentError(agentId);
    // A statement of its own, after the lock: under READ COMMITTED it sees the mark a waited-for batch committed.
    const { rows: marks } = await sql<{ up_to_seq: number }>`select up_to_seq from telemetry_stream
       where agent_id = ${agentId} and epoch = ${epoch}`.execute(trx);
    const plan = planBatch(agentId, batch, Number(marks[0]?.up_to_seq ?? 0), nowMs);
    await insertSamples(trx, plan.samples);
    await markDirtyHours(trx, plan.lateHours);
    for (const withIdentity of [true, false]) {
      const miners = plan.miners.filter((miner) => (miner.identity !== undefined) === withIdentity);
      await upsertMiners(trx, agentId, agent, miners, withIdentity, protect);
    }
    await upsertLatest(trx, agentId, plan.latest);
    await sql`with mark as (
        insert into telemetry_stream (agent_id, epoch, up_to_seq, updated_at)
        values (${agentId}, ${epoch}, ${plan.outcome.upToSeq}, ${nowMs})
        on conflict (agent_id, epoch) do update
          set up_to_seq = greatest(telemetry_stream.up_to_seq, excluded.up_to_seq), updated_at = excluded.updated_at
      )
      update agent set last_seen_at = ${nowMs}, last_sync_at = ${nowMs},
        backlog_samples = coalesce(${batch.backlogSamples ?? null}::bigint, backlog_samples)
      where id = ${agentId}`.execute(trx);
    return plan.outcome;
  });
}

/**
 * Creates or updates the miners: identity fields replaced when the batch carried an identity, kept otherwise;
 * first/last seen only ever widen. New miners get the agent's tenant and site. Addresses are sealed by
 * `protect` (the tenant's, resolved by service.ts when the batch carries identities).
 */
async function upsertMiners(
  trx: Db,
  agentId: string,
  agent: { tenant_id: string | null; site_id: string | null },
  miners: readonly MinerSeen[],
  withIdentity: boolean,
  protect: IpProtector | undefined,
): Promise<void> {
  if (miners.length === 0) return;
  const stored = miners.map((miner) =>
    miner.identity === undefined ? NO_IDENTITY : protectIdentity(miner.identity, agentId, miner.id, protect),
  );
  const arrays = IDENTITY_COLUMNS.map((column) => {
    const values = stored.map((row) => row[column]);
    return column === 'ip_host' ? sql`${values}::integer[]` : sql`${values}::text[]`;
  });
  // ip = '': a row stored before migration 0014 may still hold its address in clear; the identity replaces it.
  const identityUpdate = withIdentity
    ? sql`ip = '', ${sql.join(
        IDENTITY_COLUMNS.map((column) => sql`${sql.ref(column)} = ${sql.ref(`excluded.${column}`)}`),
      )},`
    : sql``;
  await sql`insert into miner (agent_id, tenant_id, site_id, id, first_seen_at, last_seen_at,
      ${sql.join(IDENTITY_COLUMNS.map((column) => sql.ref(column)))})
    select ${agentId}, ${agent.tenant_id}::text, ${agent.site_id}::text, u.*
    from unnest(${miners.map((miner) => miner.id)}::text[],
      ${miners.map((miner) => miner.firstSeenAt)}::bigint[], ${miners.map((miner) => miner.lastSeenAt)}::bigint[],
      ${sql.join(arrays)}) as u
    on conflict (agent_id, id) do update set ${identityUpdate}
      first_seen_at = least(miner.first_seen_at, excluded.first_seen_at),
      last_seen_at = greatest(miner.last_seen_at, excluded.last_seen_at)`.execute(trx);
}

/** Latest state per miner unless a newer one (by poll time) is stored: a backfill never replaces it. */
async function upsertLatest(trx: Db, agentId: string, latest: readonly MinerLatest[]): Promise<void> {
  if (latest.length === 0) return;
  const column = <K extends keyof MinerLatest>(name: K) => latest.map((row) => row[name]);
  await sql`insert into miner_latest (agent_id, miner_id, time_ms, status, hashrate_mhs, hashrate_avg_mhs,
      hashrate_expected_mhs, power_w, uptime_s, detail, poll_error)
    select ${agentId}, u.*
    from unnest(${column('minerId')}::text[], ${column('timeMs')}::bigint[], ${column('status')}::text[],
      ${column('hashrateMhs')}::bigint[], ${column('hashrateAvgMhs')}::bigint[],
      ${column('hashrateExpectedMhs')}::bigint[], ${column('powerW')}::integer[], ${column('uptimeS')}::integer[],
      ${column('detail')}::text[], ${column('pollError')}::text[]) as u
    on conflict (agent_id, miner_id) do update set time_ms = excluded.time_ms, status = excluded.status,
      hashrate_mhs = excluded.hashrate_mhs, hashrate_avg_mhs = excluded.hashrate_avg_mhs,
      hashrate_expected_mhs = excluded.hashrate_expected_mhs, power_w = excluded.power_w,
      uptime_s = excluded.uptime_s, detail = excluded.detail, poll_error = excluded.poll_error
    where miner_latest.time_ms < excluded.time_ms`.execute(trx);
}
