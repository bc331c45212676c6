import type { Db } from '../../db/index.js';
import type { Principal } from '../../plugins/access.js';
import { type FleetFilters, type IpLookup, selectSiteNames } from '../miners/index.js';
import { type SiteTotalsRow, selectSiteTotals } from './repository.js';

export interface FleetTotals {
  /** online, offline, unknown and stale add up to total; a stale miner is in none of the others. */
  miners: { total: number; online: number; offline: number; unknown: number; stale: number };
  /** Sum over online miners. */
  hashrateMhs: number;
  hashrateThs: number;
  /** Sum of every miner's expected (nameplate) hashrate. */
  expectedHashrateMhs: number;
  expectedHashrateThs: number;
  /** Sum over online miners that report power. */
  powerW: number;
  /** Watts per TH/s over online miners reporting both power and hashrate; null without any. */
  efficiencyJTh: number | null;
  /** Over online miners' hottest boards, °C. */
  temperatureC: { min: number | null; avg: number | null; max: number | null };
}

export interface FleetSummary extends FleetTotals {
  sites: (FleetTotals & { siteId: string | null; siteName: string | null })[];
}

/** The raw sums a FleetTotals is computed from; they add up across sites. */
interface Sums {
  total: number;
  online: number;
  unknown: number;
  stale: number;
  hashrateMhs: number;
  expectedMhs: number;
  powerW: number;
  meteredPowerW: number;
  meteredMhs: number;
  tempMinDc: number | null;
  tempMaxDc: number | null;
  tempSumDc: number;
  tempCount: number;
}

const n = (value: unknown): number => Number(value ?? 0);
const nullable = (value: unknown): number | null =>
  value === null || value === undefined ? null : Number(value);

function sumsOf(row: SiteTotalsRow): Sums {
  return {
    total: n(row.total),
    online: n(row.online),
    unknown: n(row.unknown),
    stale: n(row.stale),
    hashrateMhs: n(row.hashrate_mhs),
    expectedMhs: n(row.expected_mhs),
    powerW: n(row.power_w),
    meteredPowerW: n(row.metered_power_w),
    meteredMhs: n(row.metered_mhs),
    tempMinDc: nullable(row.temp_min_dc),
    tempMaxDc: nullable(row.temp_max_dc),
    tempSumDc: n(row.temp_sum_dc),
    tempCount: n(row.temp_count),
  };
}

const pick = (a: number | null, b: number | null, choose: (x: number, y: number) => number) =>
  a === null ? b : b === null ? a : choose(a, b);

function add(a: Sums, b: Sums): Sums {
  return {
    total: a.total + b.total,
    online: a.online + b.online,
    unknown: a.unknown + b.unknown,
    stale: a.stale + b.stale,
    hashrateMhs: a.hashrateMhs + b.hashrateMhs,
    expectedMhs: a.expectedMhs + b.expectedMhs,
    powerW: a.powerW + b.powerW,
    meteredPowerW: a.meteredPowerW + b.meteredPowerW,
    meteredMhs: a.meteredMhs + b.meteredMhs,
    tempMinDc: pick(a.tempMinDc, b.tempMinDc, Math.min),
    tempMaxDc: pick(a.tempMaxDc, b.tempMaxDc, Math.max),
    tempSumDc: a.tempSumDc + b.tempSumDc,
    tempCount: a.tempCount + b.tempCount,
  };
}

const EMPTY: Sums = {
  total: 0,
  online: 0,
  unknown: 0,
  stale: 0,
  hashrateMhs: 0,
  expectedMhs: 0,
  powerW: 0,
  meteredPowerW: 0,
  meteredMhs: 0,
  tempMinDc: null,
  tempMaxDc: null,
  tempSumDc: 0,
  tempCount: 0,
};

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
const terahash = (mhs: number) => round(mhs / 1e6, 3);
const celsius = (tenths: number | null) => (tenths === null ? null : round(tenths / 10, 1));

export function totalsOf(sums: Sums): FleetTotals {
  return {
    miners: {
      total: sums.total,
      online: sums.online,
      offline: sums.total - sums.online - sums.unknown - sums.stale,
      unknown: sums.unknown,
      stale: sums.stale,
    },
    hashrateMhs: sums.hashrateMhs,
    hashrateThs: terahash(sums.hashrateMhs),
    expectedHashrateMhs: sums.expectedMhs,
    expectedHashrateThs: terahash(sums.expectedMhs),
    powerW: sums.powerW,
    efficiencyJTh: sums.meteredMhs > 0 ? round(sums.meteredPowerW / (sums.meteredMhs / 1e6), 2) : null,
    temperatureC: {
      min: celsius(sums.tempMinDc),
      avg: sums.tempCount > 0 ? celsius(sums.tempSumDc / sums.tempCount) : null,
      max: celsius(sums.tempMaxDc),
    },
  };
}

/** Totals of the caller's fleet (a customer: its own miners) and the same per site, sites by name. */
export async function fleetSummary(
  db: Db,
  principal: Principal,
  filters: FleetFilters,
  staleBefore: number,
  ipLookup?: IpLookup,
): Promise<FleetSummary> {
  const rows = await selectSiteTotals(db, principal, filters, staleBefore, ipLookup);
  const names = await selectSiteNames(
    db,
    principal.tenantId,
    rows.flatMap((row) => (row.site_id === null ? [] : [row.site_id])),
  );
  const perSite = rows.map((row) => ({ row, sums: sumsOf(row) }));
  const sites = perSite
    .map(({ row, sums }) => ({
      siteId: row.site_id,
      siteName: row.site_id === null ? null : (names.get(row.site_id) ?? null),
      ...totalsOf(sums),
    }))
    .sort(
      (a, b) =>
        (a.siteName ?? '\uffff').localeCompare(b.siteName ?? '\uffff') ||
        (a.siteId ?? '').localeCompare(b.siteId ?? ''),
    );
  return { ...totalsOf(perSite.reduce((acc, { sums }) => add(acc, sums), EMPTY)), sites };
}
