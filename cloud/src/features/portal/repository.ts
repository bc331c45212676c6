import { sql } from 'kysely';
import type { Db } from '../../db/index.js';
import type { Principal } from '../../plugins/access.js';
import { effectiveStatus, type FleetFilters, scopedMiner, scopedMiners } from '../miners/index.js';

// Every query starts from the caller's principal (a customer: tenant AND customer), never from request values.

/** What the portal shows of a miner, in the list and alone (plus its effective status). */
const COLUMNS = [
  'miner.agent_id',
  'miner.id',
  'miner.vendor',
  'miner.model',
  'miner.hostname',
  'miner.site_id',
  'miner_latest.time_ms',
  'miner_latest.hashrate_mhs',
  'miner_latest.hashrate_expected_mhs',
  'miner_latest.power_w',
  'miner_latest.uptime_s',
  'miner_latest.temp_max_dc',
] as const;

/** One page of the customer's miners in (agent_id, id) order, `limit + 1` rows to tell whether more follow. */
export function selectMinerPage(
  db: Db,
  principal: Principal,
  filters: FleetFilters,
  after: readonly [string, string] | undefined,
  limit: number,
  staleBefore: number,
) {
  let query = scopedMiners(db, principal, filters, staleBefore)
    .select(COLUMNS)
    .select(effectiveStatus(staleBefore).as('status'));
  if (after !== undefined)
    query = query.where(sql<boolean>`(miner.agent_id, miner.id) > (${after[0]}, ${after[1]})`);
  return query
    .orderBy('miner.agent_id')
    .orderBy('miner.id')
    .limit(limit + 1)
    .execute();
}

export type PortalMinerRow = Awaited<ReturnType<typeof selectMinerPage>>[number];

/** Per model and status: miners, hashrate, power and temperatures of the customer's fleet. */
export function selectSummaryRows(db: Db, principal: Principal, staleBefore: number) {
  // Grouped outside the subquery: PostgreSQL would not match a GROUP BY on the status expression to the select's
  // (each carries its own bound parameter).
  const perMiner = scopedMiners(db, principal, {}, staleBefore)
    .select([
      'miner.model',
      effectiveStatus(staleBefore).as('status'),
      'miner_latest.hashrate_mhs',
      'miner_latest.power_w',
      'miner_latest.temp_max_dc',
    ])
    .as('x');
  return db
    .selectFrom(perMiner)
    .select([
      'x.model',
      'x.status',
      sql<number>`count(*)`.as('miners'),
      sql<number>`coalesce(sum(x.hashrate_mhs), 0)`.as('hashrate_mhs'),
      sql<number>`coalesce(sum(x.power_w), 0)`.as('power_w'),
      sql<number | null>`max(x.temp_max_dc)`.as('temp_max_dc'),
      sql<number>`coalesce(sum(x.temp_max_dc), 0)`.as('temp_sum_dc'),
      sql<number>`count(x.temp_max_dc)`.as('temp_count'),
    ])
    .groupBy(['x.model', 'x.status'])
    .execute();
}

/** Online and total samples of the customer's miners per rollup bucket in [fromMs, toMs). */
export function selectAvailability(
  db: Db,
  principal: Principal,
  resolution: '1h' | '1d',
  fromMs: number,
  toMs: number,
) {
  return db
    .selectFrom('miner_rollup as r')
    .innerJoin('miner', (join) =>
      join.onRef('miner.agent_id', '=', 'r.agent_id').onRef('miner.id', '=', 'r.miner_id'),
    )
    .where('miner.tenant_id', '=', principal.tenantId)
    .where('miner.customer_id', '=', principal.customerId ?? '\u0000')
    .where('r.resolution', '=', resolution)
    .where('r.bucket_ms', '>=', fromMs)
    .where('r.bucket_ms', '<', toMs)
    .select([
      'r.bucket_ms',
      sql<number>`sum(r.online_count)`.as('online'),
      sql<number>`sum(r.sample_count)`.as('samples'),
      sql<number>`count(*)`.as('miners'),
    ])
    .groupBy('r.bucket_ms')
    .orderBy('r.bucket_ms')
    .execute();
}

/** One of the customer's miners, as in the list; undefined when missing or not the caller's. */
export function selectOneMiner(
  db: Db,
  principal: Principal,
  agentId: string,
  minerId: string,
  staleBefore: number,
) {
  return scopedMiner(db, principal, agentId, minerId, staleBefore)
    .select(COLUMNS)
    .select(effectiveStatus(staleBefore).as('status'))
    .executeTakeFirst();
}
