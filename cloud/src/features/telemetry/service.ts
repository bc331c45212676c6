import type { Db } from '../../db/index.js';
import {
  BUCKET_MS,
  clearDirtyHour,
  deleteDirtyBefore,
  deleteOlderThan,
  findScopedMiner,
  insertSamples,
  markDirtyHours,
  oldestDirtyHours,
  type Resolution,
  rollupInto,
  rollupRawInto5m,
  type SampleRow,
  type StatusChangeRow,
  type StatusChangeScope,
  selectFleetRange,
  selectRawRange,
  selectRollupRange,
  selectStatusChanges,
} from './repository.js';

export type HistoryResolution = 'raw' | Resolution;
export type { Resolution, SampleRow, StatusChangeRow, StatusChangeScope };

const DAY_MS = 86_400_000;
const HOUR_MS = BUCKET_MS['1h'];

/**
 * How far back each rollup job recomputes on every run. Samples older than LATE_AFTER_MS when they are stored
 * fall outside the 5 min job's window, so the ingest marks their hours and a job recomputes those hours.
 */
export const ROLLUP_LOOKBACK_MS: Record<Resolution, number> = {
  '5m': 15 * 60_000,
  '1h': 3 * HOUR_MS,
  '1d': 2 * DAY_MS,
};
/** Lookback minus the longest wait for the next 5 min job run (1 min) and a margin. */
export const LATE_AFTER_MS = 10 * 60_000;

/** Days each resolution is kept; 0 keeps it forever. */
export interface RetentionDays {
  raw: number;
  '5m': number;
  '1h': number;
  '1d': number;
}
export const DEFAULT_RETENTION: RetentionDays = { raw: 7, '5m': 30, '1h': 400, '1d': 0 };

const floorTo = (timeMs: number, size: number): number => timeMs - (timeMs % size);

/**
 * The hours (ascending) of samples that arrive too late for the rolling rollup windows: a historical backfill,
 * or a replay after an outage. Their rollups are recomputed by rollupDirtyHours once the hours are marked.
 */
export function lateSampleHours(rows: readonly SampleRow[], nowMs: number): number[] {
  const late = new Set<number>();
  for (const row of rows) {
    if (row.time_ms < nowMs - LATE_AFTER_MS) late.add(floorTo(row.time_ms, HOUR_MS));
  }
  return [...late].sort((a, b) => a - b);
}

/** Stores raw samples (part of the ingest transaction) and marks the hours of late ones dirty. */
export async function storeSamples(db: Db, rows: readonly SampleRow[], nowMs: number): Promise<void> {
  await insertSamples(db, rows);
  await markDirtyHours(db, lateSampleHours(rows, nowMs));
}

/** Recomputes the `resolution` buckets overlapping [fromMs, toMs) from raw (5m) or the next finer rollup. */
export async function rollupRange(db: Db, resolution: Resolution, fromMs: number, toMs: number) {
  const size = BUCKET_MS[resolution];
  const from = floorTo(fromMs, size);
  const to = floorTo(toMs - 1, size) + size;
  if (resolution === '5m') return rollupRawInto5m(db, from, to);
  return rollupInto(db, resolution === '1h' ? '5m' : '1h', resolution, from, to);
}

/** One run of a rolling rollup job: the recent buckets of `resolution`, the current (partial) one included. */
export async function rollupRecent(db: Db, resolution: Resolution, nowMs: number): Promise<void> {
  await rollupRange(db, resolution, nowMs - ROLLUP_LOOKBACK_MS[resolution], nowMs + 1);
}

/**
 * Recomputes up to `limit` marked hours (5 min and 1 h buckets of the hour, then its day) and clears each mark
 * unless it was marked again meanwhile. Hours whose raw samples retention has already removed are only
 * cleared: recomputing them from nothing would erase their rollups. Returns how many hours were recomputed.
 */
export async function rollupDirtyHours(
  db: Db,
  nowMs: number,
  retention: RetentionDays,
  limit = 24,
): Promise<number> {
  if (retention.raw > 0) await deleteDirtyBefore(db, nowMs - retention.raw * DAY_MS + HOUR_MS);
  const marks = await oldestDirtyHours(db, limit);
  for (const mark of marks) {
    await rollupRange(db, '5m', mark.hour_ms, mark.hour_ms + HOUR_MS);
    await rollupRange(db, '1h', mark.hour_ms, mark.hour_ms + HOUR_MS);
    await rollupRange(db, '1d', mark.hour_ms, mark.hour_ms + 1);
    await clearDirtyHour(db, mark);
  }
  return marks.length;
}

export interface RetentionOutcome {
  deleted: Record<'raw' | Resolution, number>;
}

/**
 * Deletes what each resolution keeps no longer, `chunkRows` rows per statement, yielding to the event loop
 * between chunks so the ingest's transactions interleave instead of waiting for one huge delete.
 */
export async function applyRetention(
  db: Db,
  retention: RetentionDays,
  nowMs: number,
  chunkRows = 5000,
): Promise<RetentionOutcome> {
  const deleted = { raw: 0, '5m': 0, '1h': 0, '1d': 0 };
  for (const table of ['raw', '5m', '1h', '1d'] as const) {
    const days = retention[table];
    if (days <= 0) continue;
    const cutoff = nowMs - days * DAY_MS;
    for (;;) {
      const count = await deleteOlderThan(db, table, cutoff, chunkRows);
      deleted[table] += count;
      if (count < chunkRows) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return { deleted };
}

/** Who is asking: a tenant, narrowed to one customer's miners for customer users. */
export interface HistoryScope {
  tenantId: string;
  customerId?: string | null | undefined;
}

/** One point of a history series; a raw sample is a bucket of one. Units: MH/s, W, tenths of a degree. */
export interface HistoryPoint {
  /** Poll time (raw) or bucket start (rollups), UTC ms. */
  timeMs: number;
  /** Raw only: the miner's status at that poll; null for rollups. */
  status: string | null;
  samples: number;
  onlineSamples: number;
  /** Average over the bucket. */
  hashrateMhs: number;
  hashrateExpectedMhs: number;
  /** Average over the samples that reported power; null when none did. */
  powerW: number | null;
  chipTempMaxDc: number | null;
  boardTempMaxDc: number | null;
}

/** At most this many points per series; a caller wanting more asks for a coarser resolution. */
export const MAX_HISTORY_POINTS = 5000;

/**
 * The miner's history in [fromMs, toMs) at `resolution`, oldest first, at most MAX_HISTORY_POINTS points.
 * undefined when the miner does not exist in the scope (the caller answers 404 alike for missing and foreign).
 */
export async function minerHistory(
  db: Db,
  scope: HistoryScope,
  miner: { agentId: string; minerId: string },
  resolution: HistoryResolution,
  fromMs: number,
  toMs: number,
): Promise<HistoryPoint[] | undefined> {
  if ((await findScopedMiner(db, scope, miner)) === undefined) return undefined;
  if (resolution === 'raw') {
    const rows = await selectRawRange(db, miner, fromMs, toMs, MAX_HISTORY_POINTS);
    return rows.map((row) => {
      const online = row.status === 'ok' || row.status === 'degraded';
      return {
        timeMs: row.time_ms,
        status: row.status,
        samples: 1,
        onlineSamples: online ? 1 : 0,
        hashrateMhs: row.hashrate_mhs,
        hashrateExpectedMhs: row.hashrate_expected_mhs,
        powerW: row.power_w,
        chipTempMaxDc: row.chip_temp_max_dc,
        boardTempMaxDc: row.board_temp_max_dc,
      };
    });
  }
  const rows = await selectRollupRange(db, miner, resolution, fromMs, toMs, MAX_HISTORY_POINTS);
  return rows.map((row) => ({
    timeMs: row.bucket_ms,
    status: null,
    samples: row.sample_count,
    onlineSamples: row.online_count,
    hashrateMhs: Math.round(row.hashrate_sum_mhs / row.sample_count),
    hashrateExpectedMhs: Math.round(row.hashrate_expected_sum_mhs / row.sample_count),
    powerW: row.power_count > 0 ? Math.round(row.power_sum_w / row.power_count) : null,
    chipTempMaxDc: row.chip_temp_max_dc,
    boardTempMaxDc: row.board_temp_max_dc,
  }));
}

/** One bucket of the fleet: each miner's average in the bucket, summed over the miners that reported. */
export interface FleetPoint {
  timeMs: number;
  miners: number;
  /** Miners with at least one online sample in the bucket. */
  onlineMiners: number;
  hashrateMhs: number;
  hashrateExpectedMhs: number;
  powerW: number;
}

/** The scope's total hashrate and power per bucket in [fromMs, toMs), from the rollups (no raw: polls do not align). */
export async function fleetHashrateSeries(
  db: Db,
  scope: HistoryScope & { siteId?: string },
  resolution: Resolution,
  fromMs: number,
  toMs: number,
): Promise<FleetPoint[]> {
  const rows = await selectFleetRange(db, scope, resolution, fromMs, toMs, MAX_HISTORY_POINTS);
  return rows.map((row) => ({
    timeMs: Number(row.bucket_ms),
    miners: Number(row.miners),
    onlineMiners: Number(row.online_miners),
    hashrateMhs: Number(row.hashrate_mhs),
    hashrateExpectedMhs: Number(row.hashrate_expected_mhs),
    powerW: Number(row.power_w),
  }));
}

/** Status changes beyond the range's start are found against samples up to this long before it. */
export const STATUS_LOOKBACK_MS = 15 * 60_000;

/**
 * Status changes (ok -> offline, ...) of the scope's miners in [fromMs, toMs), derived from consecutive raw samples,
 * newest first, after `before` (time, agent, miner): `limit` + 1 rows, the extra one saying more follow. The
 * portal's events and the console's miner events both read them here.
 */
export function statusChanges(
  db: Db,
  scope: StatusChangeScope,
  request: {
    fromMs: number;
    toMs: number;
    before?: readonly [number, string, string] | undefined;
    limit: number;
  },
): Promise<StatusChangeRow[]> {
  return selectStatusChanges(
    db,
    scope,
    request.fromMs,
    request.toMs,
    STATUS_LOOKBACK_MS,
    request.before,
    request.limit,
  );
}
