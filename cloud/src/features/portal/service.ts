import type { Db } from '../../db/index.js';
import { AppError } from '../../http/errors.js';
import type { Principal } from '../../plugins/access.js';
import { type CatalogModel, modelIndex, modelKey } from '../catalog/index.js';
import { type FleetFilters, ONLINE_STATUSES } from '../miners/index.js';
import { statusChanges } from '../telemetry/index.js';
import type { CursorSigner } from './cursor.js';
import {
  type PortalMinerRow,
  selectAvailability,
  selectMinerPage,
  selectOneMiner,
  selectSummaryRows,
} from './repository.js';

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
const terahash = (mhs: number | null) => (mhs === null ? null : round(Number(mhs) / 1e6, 3));
const celsius = (tenths: number | null) => (tenths === null ? null : round(Number(tenths) / 10, 1));
const iso = (ms: number) => new Date(Number(ms)).toISOString();

export const rangeInvalid = () => new AppError('PORTAL_RANGE_INVALID', 400, 'from must be before to');

/** A miner as its owner sees it: no addresses of the hosting site's network, no credentials. */
export interface PortalMiner {
  agentId: string;
  minerId: string;
  vendor: string;
  model: string;
  hostname: string;
  siteId: string | null;
  status: string;
  hashrateThs: number | null;
  /** The catalog's nominal hashrate of the model; null for a model the catalog does not know. */
  expectedHashrateThs: number | null;
  /** What the miner itself reports as its expected hashrate. */
  reportedExpectedHashrateThs: number | null;
  powerW: number | null;
  /** Hottest board of the latest sample, °C. */
  temperatureC: number | null;
  /** Seconds since the miner (re)started, as it reports. */
  uptimeS: number | null;
  lastSampleAt: string | null;
}

function minerOf(row: PortalMinerRow, catalog: Map<string, CatalogModel>): PortalMiner {
  return {
    agentId: row.agent_id,
    minerId: row.id,
    vendor: row.vendor,
    model: row.model,
    hostname: row.hostname,
    siteId: row.site_id,
    status: row.status ?? 'unknown',
    hashrateThs: terahash(row.hashrate_mhs),
    expectedHashrateThs: catalog.get(modelKey(row.model))?.hashrateTh ?? null,
    reportedExpectedHashrateThs: terahash(row.hashrate_expected_mhs),
    powerW: row.power_w === null ? null : Number(row.power_w),
    temperatureC: celsius(row.temp_max_dc),
    uptimeS: row.uptime_s === null ? null : Number(row.uptime_s),
    lastSampleAt: row.time_ms === null ? null : iso(row.time_ms),
  };
}

/** The portal's principal is always a customer with its customer (the portal permission admits no one else). */
export function customerOf(principal: Principal): string {
  if (principal.role !== 'customer' || principal.customerId === null) {
    throw new AppError('AUTH_FORBIDDEN', 403, 'Your role does not allow this');
  }
  return principal.customerId;
}

export async function listMyMiners(
  db: Db,
  principal: Principal,
  signer: CursorSigner,
  request: { filters: FleetFilters; limit: number; cursor?: string | undefined; staleBefore: number },
  catalog: readonly CatalogModel[],
) {
  const customerId = customerOf(principal);
  // The filters are part of the list's identity: a cursor from another filter set is refused.
  const list = `miners:${JSON.stringify(request.filters)}`;
  const after =
    request.cursor === undefined
      ? undefined
      : (signer.decode(customerId, list, request.cursor, ['string', 'string']) as [string, string]);
  const rows = await selectMinerPage(
    db,
    principal,
    request.filters,
    after,
    request.limit,
    request.staleBefore,
  );
  const page = rows.slice(0, request.limit);
  const last = page[page.length - 1];
  const index = modelIndex(catalog);
  return {
    miners: page.map((row) => minerOf(row, index)),
    nextCursor:
      rows.length > request.limit && last !== undefined
        ? signer.encode(customerId, list, [last.agent_id, last.id])
        : null,
  };
}

export const minerNotFound = () => new AppError('PORTAL_MINER_NOT_FOUND', 404, 'Miner not found');

/** One of the caller's miners; 404 alike for a missing miner and one that is not the caller's. */
export async function myMiner(
  db: Db,
  principal: Principal,
  key: { agentId: string; minerId: string },
  staleBefore: number,
  catalog: readonly CatalogModel[],
): Promise<PortalMiner> {
  customerOf(principal);
  const row = await selectOneMiner(db, principal, key.agentId, key.minerId, staleBefore);
  if (row === undefined) throw minerNotFound();
  return minerOf(row, modelIndex(catalog));
}

export async function mySummary(
  db: Db,
  principal: Principal,
  staleBefore: number,
  catalog: readonly CatalogModel[],
) {
  customerOf(principal);
  const rows = await selectSummaryRows(db, principal, staleBefore);
  const index = modelIndex(catalog);
  const byStatus: Record<string, number> = {};
  let miners = 0;
  let online = 0;
  let hashrateMhs = 0;
  let expectedThs = 0;
  let unknownModels = 0;
  let powerW = 0;
  let tempMax: number | null = null;
  let tempSum = 0;
  let tempCount = 0;
  for (const row of rows) {
    const count = Number(row.miners);
    const status = row.status ?? 'unknown';
    byStatus[status] = (byStatus[status] ?? 0) + count;
    miners += count;
    const known = index.get(modelKey(row.model));
    if (known === undefined) unknownModels += count;
    else expectedThs += known.hashrateTh * count;
    if (!(ONLINE_STATUSES as readonly string[]).includes(status)) continue;
    online += count;
    hashrateMhs += Number(row.hashrate_mhs);
    powerW += Number(row.power_w);
    if (row.temp_max_dc !== null) tempMax = Math.max(tempMax ?? -Infinity, Number(row.temp_max_dc));
    tempSum += Number(row.temp_sum_dc);
    tempCount += Number(row.temp_count);
  }
  const hashrateThs = round(hashrateMhs / 1e6, 3);
  return {
    miners: { total: miners, online, byStatus },
    /** Online miners only. */
    hashrateThs,
    expectedHashrateThs: round(expectedThs, 3),
    /** Miners whose model the catalog does not know (not in expectedHashrateThs). */
    unknownModels,
    /** Measured over nominal, percent; null without a nominal figure. */
    hashrateOfExpectedPercent: expectedThs > 0 ? round((hashrateThs / expectedThs) * 100, 2) : null,
    powerW,
    efficiencyJTh: hashrateThs > 0 && powerW > 0 ? round(powerW / hashrateThs, 2) : null,
    temperatureC: { max: celsius(tempMax), avg: tempCount > 0 ? celsius(tempSum / tempCount) : null },
  };
}

export type UptimePeriod = 'day' | 'week' | 'month';

/** The UTC start of the period holding `ms` (weeks start on Monday). */
function periodStart(ms: number, period: UptimePeriod): number {
  const d = new Date(ms);
  if (period === 'month') return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  if (period === 'day') return day;
  return day - ((d.getUTCDay() + 6) % 7) * 86_400_000;
}

/**
 * Availability per period from the hourly rollups: online samples over all samples of the customer's miners, and
 * whether it met the SLA target when one is given. Hours without samples count for nothing either way.
 */
export async function myUptime(
  db: Db,
  principal: Principal,
  request: { fromMs: number; toMs: number; period: UptimePeriod; slaPercent?: number | undefined },
) {
  customerOf(principal);
  const rows = await selectAvailability(db, principal, '1h', request.fromMs, request.toMs);
  const periods = new Map<number, { online: number; samples: number }>();
  let online = 0;
  let samples = 0;
  for (const row of rows) {
    const start = periodStart(Number(row.bucket_ms), request.period);
    const sums = periods.get(start) ?? { online: 0, samples: 0 };
    sums.online += Number(row.online);
    sums.samples += Number(row.samples);
    periods.set(start, sums);
    online += Number(row.online);
    samples += Number(row.samples);
  }
  const percent = (o: number, s: number) => (s > 0 ? round((o / s) * 100, 3) : null);
  const met = (value: number | null) =>
    request.slaPercent === undefined || value === null ? null : value >= request.slaPercent;
  return {
    from: iso(request.fromMs),
    to: iso(request.toMs),
    period: request.period,
    slaPercent: request.slaPercent ?? null,
    uptimePercent: percent(online, samples),
    slaMet: met(percent(online, samples)),
    periods: [...periods.entries()]
      .sort(([a], [b]) => a - b)
      .map(([start, sums]) => {
        const value = percent(sums.online, sums.samples);
        return { start: iso(start), samples: sums.samples, uptimePercent: value, slaMet: met(value) };
      }),
  };
}

export async function myEvents(
  db: Db,
  principal: Principal,
  signer: CursorSigner,
  request: { fromMs: number; toMs: number; limit: number; cursor?: string | undefined },
) {
  const customerId = customerOf(principal);
  const list = `events:${request.fromMs}:${request.toMs}`;
  const before =
    request.cursor === undefined
      ? undefined
      : (signer.decode(customerId, list, request.cursor, ['number', 'string', 'string']) as [
          number,
          string,
          string,
        ]);
  const rows = await statusChanges(
    db,
    { tenantId: principal.tenantId, customerId },
    { fromMs: request.fromMs, toMs: request.toMs, before, limit: request.limit },
  );
  const page = rows.slice(0, request.limit);
  const last = page[page.length - 1];
  return {
    events: page.map((row) => ({
      time: iso(row.time_ms),
      type: 'miner.status',
      agentId: row.agent_id,
      minerId: row.miner_id,
      from: row.previous,
      to: row.status,
    })),
    nextCursor:
      rows.length > request.limit && last !== undefined
        ? signer.encode(customerId, list, [last.time_ms, last.agent_id, last.miner_id])
        : null,
  };
}
