import type { hashinsight } from '@hashinsight/protocol';
import { lateSampleHours, type SampleRow } from '../telemetry/index.js';
import { type IdentityFields, identityFields, sampleDetail, sampleRow, statusName } from './mapping.js';

// What one telemetry batch writes, worked out from the batch and the stored high-water mark alone, so the
// dialect-specific writers (sqlite-writer.ts, postgres-writer.ts) only execute it and cannot differ in meaning.

type TelemetryBatch = hashinsight.v1.TelemetryBatch.$Properties;
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

export interface MinerSeen {
  id: string;
  /** Replaces the stored identity when set; undefined keeps it (the agent sends identities only on change). */
  identity: IdentityFields | undefined;
  firstSeenAt: number;
  lastSeenAt: number;
}

export interface MinerLatest {
  minerId: string;
  timeMs: number;
  status: string;
  hashrateMhs: number;
  hashrateAvgMhs: number;
  hashrateExpectedMhs: number;
  powerW: number | null;
  uptimeS: number;
  detail: string;
  pollError: string;
}

export interface BatchPlan {
  outcome: TelemetryOutcome;
  /** Raw history rows of the fresh samples. */
  samples: SampleRow[];
  /** Hours (ms, ascending) whose rollups must be recomputed because fresh samples arrived late. */
  lateHours: number[];
  /** Each miner once: first/last poll time of its fresh samples and the newest identity among them. */
  miners: MinerSeen[];
  /** Each miner once: its newest fresh sample. */
  latest: MinerLatest[];
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

function latestRow(minerId: string, sample: MinerSample): MinerLatest {
  return {
    minerId,
    timeMs: sample.timeMs ?? 0,
    status: statusName(sample.status),
    hashrateMhs: sample.hashrateMhs ?? 0,
    hashrateAvgMhs: sample.hashrateAvgMhs ?? 0,
    hashrateExpectedMhs: sample.hashrateExpectedMhs ?? 0,
    powerW: sample.powerW ?? null,
    uptimeS: sample.uptimeS ?? 0,
    detail: JSON.stringify(sampleDetail(sample)),
    pollError: sample.pollError ?? '',
  };
}

/**
 * The writes of `batch` given `stored`, the high-water mark of its epoch (every sample of the epoch up to it is
 * stored). The batch's oldestUnackedSeq first lifts the mark to oldestUnackedSeq - 1: the agent no longer holds
 * anything below it, so waiting for those seqs (say, after this database was restored or replaced) would stall
 * the epoch forever. Samples at or below the mark are duplicates and skipped. The mark then only moves through
 * contiguous sequence numbers: after a gap it stays put until the agent replays.
 */
export function planBatch(agentId: string, batch: TelemetryBatch, stored: number, nowMs: number): BatchPlan {
  const epoch = batch.epoch ?? 0;
  const samples = batch.samples ?? [];
  const oldestUnacked = batch.oldestUnackedSeq ?? 0;
  let upToSeq = oldestUnacked > 0 ? Math.max(stored, oldestUnacked - 1) : stored;
  const skipped = upToSeq > stored ? { fromSeq: stored + 1, toSeq: upToSeq } : undefined;
  const fresh = samples.filter((sample) => (sample.seq ?? 0) > upToSeq);
  const rows = fresh.map((sample) => sampleRow(agentId, sample));
  const miners: MinerSeen[] = [];
  const latest: MinerLatest[] = [];
  for (const [id, update] of collapseByMiner(fresh)) {
    miners.push({
      id,
      identity: update.identity,
      firstSeenAt: update.firstSeenAt,
      lastSeenAt: update.lastSeenAt,
    });
    latest.push(latestRow(id, update.latest));
  }
  for (const sample of fresh) {
    if (sample.seq !== upToSeq + 1) break;
    upToSeq = sample.seq;
  }
  const outcome: TelemetryOutcome = {
    epoch,
    upToSeq,
    applied: fresh.length,
    duplicates: samples.length - fresh.length,
  };
  if (skipped !== undefined) outcome.skipped = skipped;
  return { outcome, samples: rows, lateHours: lateSampleHours(rows, nowMs), miners, latest };
}
