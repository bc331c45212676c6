// The portal's history ranges: how far back, at which resolution the hashrate series is asked, and per which
// period availability is summed; and durations. Pure, so the choice of buckets is tested without a browser.

export type RangeKey = '24h' | '7d' | '30d';
export const RANGE_KEYS: readonly RangeKey[] = ['24h', '7d', '30d'];

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

interface RangeSpec {
  ms: number;
  /** At most a few hundred points: 288 five-minute buckets, 168 hours, 30 days. */
  resolution: '5m' | '1h' | '1d';
  /** Uptime rows: hours would be too many to read, so days even for the last 24 hours. */
  period: 'day' | 'week';
}

const SPECS: Record<RangeKey, RangeSpec> = {
  '24h': { ms: DAY_MS, resolution: '5m', period: 'day' },
  '7d': { ms: 7 * DAY_MS, resolution: '1h', period: 'day' },
  '30d': { ms: 30 * DAY_MS, resolution: '1d', period: 'week' },
};

export const isRangeKey = (value: string | null | undefined): value is RangeKey =>
  value === '24h' || value === '7d' || value === '30d';

export interface PortalRange {
  from: string;
  to: string;
  resolution: RangeSpec['resolution'];
  period: RangeSpec['period'];
}

/**
 * The ISO bounds of `key` ending now. The end is rounded down to the minute, as the cloud does for its default:
 * polls within the same minute ask the same question, so they share its cache and ETag.
 */
export function portalRange(key: RangeKey, nowMs: number): PortalRange {
  const spec = SPECS[key];
  const toMs = Math.floor(nowMs / 60_000) * 60_000;
  return {
    from: new Date(toMs - spec.ms).toISOString(),
    to: new Date(toMs).toISOString(),
    resolution: spec.resolution,
    period: spec.period,
  };
}

/** Whole days, hours and minutes of a duration in seconds (a miner's uptime). */
export function durationParts(seconds: number): { d: number; h: number; m: number } {
  const s = Number.isFinite(seconds) ? Math.max(0, Math.floor(seconds)) : 0;
  return { d: Math.floor(s / 86_400), h: Math.floor((s % 86_400) / 3600), m: Math.floor((s % 3600) / 60) };
}
