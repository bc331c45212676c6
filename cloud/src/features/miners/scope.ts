import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../../db/index.js';
import type { Principal } from '../../plugins/access.js';
import type { IpLookup } from './ip.js';

// What a caller may see of the fleet, and the per-miner values that the list sorts by and the summary
// aggregates. Shared by the miners list, the miner detail, the assignment and the fleet summary.

/**
 * Statuses a miner's latest sample can carry (the ingest's names), plus 'unknown' for no sample yet and 'stale'
 * for a miner whose agent is offline or whose latest sample is too old (see effectiveStatus).
 */
export const MINER_STATUSES = [
  'ok',
  'degraded',
  'offline',
  'unreachable',
  'auth_failed',
  'sleeping',
  'unknown',
  'stale',
] as const;
export type MinerStatus = (typeof MINER_STATUSES)[number];

/** Hashing (or able to): counted online by the summary; the telemetry rollups use the same rule. */
export const ONLINE_STATUSES = ['ok', 'degraded'] as const;

/** A sample older than this (HASHINSIGHT_STALE_AFTER_S) makes its miner read as stale. */
export const DEFAULT_STALE_AFTER_MS = 300_000;

/**
 * The status the fleet reads show, in SQL so that filters, pages and counts agree: 'stale' when the miner's
 * agent is offline or its latest sample is older than `staleBefore` (ms), as the last status of an agent that
 * stopped reporting says nothing about now; else the sample's status, 'unknown' without one.
 */
export function effectiveStatus(staleBefore: number): RawBuilder<string> {
  return sql<string>`case when agent.online = 0 or miner_latest.time_ms < ${staleBefore} then 'stale' else coalesce(miner_latest.status, 'unknown') end`;
}

export interface FleetFilters {
  siteId?: string | undefined;
  customerId?: string | undefined;
  agentId?: string | undefined;
  model?: string | undefined;
  status?: MinerStatus | undefined;
  /**
   * Case-insensitive substring of the id, MAC, hostname, serial or model; for staff also an exact IP address or
   * a subnet (features/miners/ip.ts: addresses are encrypted, so no substring of one).
   */
  q?: string | undefined;
}

// A customer principal without its customer (never issued) must see nothing rather than everything.
const NO_CUSTOMER = '\u0000';

/** LIKE pattern matching `text` literally anywhere (\ escapes the wildcards). */
function containsPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Miners joined to their agent and latest sample, limited to the principal's tenant (a customer: its own miners) and to
 * `filters`. The scope comes only from the principal, never from request values or cursors. `ipLookup` is the
 * blind index `filters.q` names as an address (ipLookupOf), which only staff callers resolve.
 */
export function scopedMiners(
  db: Db,
  principal: Principal,
  filters: FleetFilters,
  staleBefore: number,
  ipLookup?: IpLookup,
) {
  let query = db
    .selectFrom('miner')
    .innerJoin('agent', 'agent.id', 'miner.agent_id')
    .leftJoin('miner_latest', (join) =>
      join
        .onRef('miner_latest.agent_id', '=', 'miner.agent_id')
        .onRef('miner_latest.miner_id', '=', 'miner.id'),
    )
    .where('miner.tenant_id', '=', principal.tenantId);
  if (principal.role === 'customer') {
    query = query.where('miner.customer_id', '=', principal.customerId ?? NO_CUSTOMER);
  }
  if (filters.siteId !== undefined) query = query.where('miner.site_id', '=', filters.siteId);
  if (filters.customerId !== undefined) query = query.where('miner.customer_id', '=', filters.customerId);
  if (filters.agentId !== undefined) query = query.where('miner.agent_id', '=', filters.agentId);
  if (filters.model !== undefined) query = query.where('miner.model', '=', filters.model);
  if (filters.status !== undefined) {
    query = query.where(sql<boolean>`${effectiveStatus(staleBefore)} = ${filters.status}`);
  }
  if (filters.q !== undefined && filters.q !== '') {
    const pattern = containsPattern(filters.q);
    query = query.where((eb) =>
      eb.or([
        ...(['miner.id', 'miner.mac', 'miner.hostname', 'miner.serial', 'miner.model'] as const).map(
          (column) => sql<boolean>`lower(${eb.ref(column)}) like ${pattern} escape '\\'`,
        ),
        ...(ipLookup === undefined ? [] : [eb(`miner.${ipLookup.column}`, '=', ipLookup.value)]),
      ]),
    );
  }
  return query;
}

/** One miner of the principal's scope (same joins as scopedMiners); no rows when missing or out of scope. */
export function scopedMiner(
  db: Db,
  principal: Principal,
  agentId: string,
  minerId: string,
  staleBefore: number,
) {
  return scopedMiners(db, principal, { agentId }, staleBefore).where('miner.id', '=', minerId);
}

/**
 * The hottest board of the latest sample in tenths of a degree (chip temperature, else board temperature),
 * null without one: miner_latest.temp_max_dc, which the database keeps from the sample's detail (migration
 * 0008_fleet_indexes), so sorting and summing it parses no JSON.
 */
export function temperatureDc(): RawBuilder<number | null> {
  return sql<number | null>`miner_latest.temp_max_dc`;
}

/**
 * Cache keys of the fleet summary start with this per tenant; assignment changes drop them all (the summary's
 * freshness otherwise is its short TTL, since telemetry arrives every minute anyway).
 */
export const summaryCachePrefix = (tenantId: string): string => `fleet:summary:${tenantId}:`;
