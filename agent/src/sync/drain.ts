import { hashinsight, MAX_MESSAGE_BYTES } from '@hashinsight/protocol';
import type { Logger } from 'pino';
import type { AgentStore, OutboxChunk, OutboxGap } from '../store/index.js';
import { TokenBucket } from './token-bucket.js';

// Moves outbox rows to the cloud in two lanes: live (the current session's epoch) and backlog (older epochs,
// oldest first, marked historical). Several batches are in flight at once (a window), so the drain runs at the
// cloud's pace rather than one round trip per batch. Rows leave the outbox only on the cloud's TelemetryAck.

const { TelemetryBatch, GapReason } = hashinsight.v1;

export interface DrainOptions {
  /** Batches in flight (sent, not yet acked) at most. Default 8. */
  window?: number;
  /** How long the oldest unacked batch may wait before everything unacked is sent again. Default 10 s. */
  ackTimeoutMs?: number;
  /** Upload cap in bytes a second (MQTT payload); unset = unlimited. */
  uploadMaxBytesPerSecond?: number | undefined;
}

/** One connection: its epoch and how to publish telemetry on it (resolves on PUBACK, rejects on failure). */
export interface DrainSession {
  epoch: number;
  send(payload: Buffer): Promise<void>;
}

interface InFlight {
  epoch: number;
  /** Acked once the cloud's mark of `epoch` reaches it. */
  lastSeq: number;
  gapIds: number[];
  sentAtMs: number;
}

/** Where a lane has sent up to: (epoch, seq) in outbox order. */
interface Cursor {
  epoch: number;
  seq: number;
}

/** Field 5 (blocks), wire type 2: the stored rows are appended as is, never re-encoded. */
const BLOCKS_TAG = (5 << 3) | 2;

/**
 * A TelemetryBatch of stored rows and gaps, encoded. `backlogSamples` is the outbox's size as the batch leaves
 * (its own rows included, they stay until acked): the operator's live view of how far behind this site is.
 */
export function encodeBatch(
  epoch: number,
  historical: boolean,
  chunk: OutboxChunk | undefined,
  gaps: readonly OutboxGap[],
  backlogSamples: number,
): Buffer {
  const writer = TelemetryBatch.encode({
    epoch,
    historical,
    oldestUnackedSeq: chunk?.oldestUnackedSeq ?? 0,
    backlogSamples,
    gaps: gaps.map((g) => ({
      epoch: g.epoch,
      firstSeq: g.firstSeq,
      lastSeq: g.lastSeq,
      samples: g.samples,
      oldestTimeMs: g.oldestTimeMs,
      newestTimeMs: g.newestTimeMs,
      droppedAtMs: g.droppedAtMs,
      reason: GapReason.GAP_REASON_DISK_BUDGET,
    })),
  });
  for (const block of chunk?.blocks ?? []) writer.uint32(BLOCKS_TAG).bytes(block);
  return Buffer.from(writer.finish());
}

/** Room left in a message for its gaps and batch fields (gaps are ~40 bytes each). */
const GAPS_PER_BATCH = 100;

export class TelemetryDrain {
  private session: DrainSession | undefined;
  private inFlight: InFlight[] = [];
  private live: Cursor = { epoch: 0, seq: 0 };
  private backlog: Cursor = { epoch: 0, seq: 0 };
  private backlogAllowed = true;
  private pumping = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly window: number;
  private readonly ackTimeoutMs: number;
  private readonly bucket: TokenBucket | undefined;
  private readonly counters = { batchesSent: 0, bytesSent: 0, resends: 0 };

  constructor(
    private readonly store: AgentStore,
    options: DrainOptions,
    private readonly logger: Logger,
  ) {
    this.window = Math.max(1, options.window ?? 8);
    this.ackTimeoutMs = options.ackTimeoutMs ?? 10_000;
    const rate = options.uploadMaxBytesPerSecond;
    this.bucket = rate === undefined ? undefined : new TokenBucket(rate);
  }

  /** A connection is ready: start from the oldest unacked row of each lane. */
  begin(session: DrainSession): void {
    this.session = session;
    this.rewind();
    this.kick();
  }

  /** The connection is gone: nothing is in flight any more (what was unacked goes again next time). */
  end(): void {
    this.session = undefined;
    this.inFlight = [];
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The backlog lane runs only while the cloud is not known to be offline (its retained CloudState). */
  allowBacklog(allowed: boolean): void {
    this.backlogAllowed = allowed;
    if (allowed) this.kick();
  }

  stats() {
    return { inFlight: this.inFlight.length, ...this.counters };
  }

  /** The cloud stored every sample of `epoch` up to `upToSeq`. */
  acknowledged(epoch: number, upToSeq: number): void {
    const removed = this.store.acknowledge(epoch, upToSeq);
    const settled = this.inFlight.filter((f) => f.epoch === epoch && f.lastSeq <= upToSeq);
    if (settled.length > 0) {
      this.inFlight = this.inFlight.filter((f) => !settled.includes(f));
      const gapIds = settled.flatMap((f) => f.gapIds);
      if (gapIds.length > 0) this.store.gapsReported(gapIds);
      this.armTimer();
    }
    this.logger.debug({ epoch, upToSeq, removed, inFlight: this.inFlight.length }, 'telemetry acknowledged');
    this.kick();
  }

  kick(): void {
    void this.pump();
  }

  private rewind(): void {
    this.inFlight = [];
    this.live = { epoch: this.session?.epoch ?? 0, seq: 0 };
    this.backlog = { epoch: 0, seq: 0 };
    this.armTimer();
  }

  /** Fills the window: live first (it is small and current), then the backlog; pending gaps ride along. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.session !== undefined && this.inFlight.length < this.window) {
        const session = this.session;
        const next = this.nextBatch(session.epoch);
        if (next === undefined) break;
        if (this.bucket) await this.bucket.take(next.payload.length);
        if (this.session !== session) break; // the connection went while we waited
        const entry: InFlight = { ...next.entry, sentAtMs: Date.now() };
        this.inFlight.push(entry);
        if (next.lane === 'live') this.live = next.cursor;
        else if (next.lane === 'backlog') this.backlog = next.cursor;
        this.counters.batchesSent += 1;
        this.counters.bytesSent += next.payload.length;
        this.armTimer();
        // Not awaited: the PUBACK says only that the broker has it; the window is bounded by acks.
        session.send(next.payload).catch((error: unknown) => {
          this.logger.warn({ err: error }, 'telemetry publish failed');
        });
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'telemetry drain interrupted');
    } finally {
      this.pumping = false;
    }
  }

  private nextBatch(liveEpoch: number):
    | {
        lane: 'live' | 'backlog' | 'gaps';
        cursor: Cursor;
        entry: Omit<InFlight, 'sentAtMs'>;
        payload: Buffer;
      }
    | undefined {
    const carried = new Set(this.inFlight.flatMap((f) => f.gapIds));
    const gaps = this.store
      .pendingGaps()
      .filter((g) => !carried.has(g.id))
      .slice(0, GAPS_PER_BATCH);
    const maxBytes = MAX_MESSAGE_BYTES - 16 * 1024;
    let lane: 'live' | 'backlog' = 'live';
    let chunk = this.store.readChunk(liveEpoch, Math.max(this.live.seq, 0), liveEpoch, maxBytes);
    if (chunk === undefined && this.backlogAllowed) {
      lane = 'backlog';
      chunk = this.store.readChunk(this.backlog.epoch, this.backlog.seq, liveEpoch - 1, maxBytes);
    }
    const gapIds = gaps.map((g) => g.id);
    if (chunk === undefined) {
      const first = gaps[0];
      if (first === undefined) return undefined;
      // Gaps alone: done once an ack of the first gap's epoch reaches past it (the cloud moves that epoch's mark
      // past its gaps; an earlier ack of the epoch, for a batch sent before, does not).
      const lastSeq = Math.max(...gaps.filter((g) => g.epoch === first.epoch).map((g) => g.lastSeq));
      return {
        lane: 'gaps',
        cursor: this.live,
        entry: { epoch: first.epoch, lastSeq, gapIds },
        payload: encodeBatch(first.epoch, true, undefined, gaps, this.store.backlog()),
      };
    }
    return {
      lane,
      cursor: { epoch: chunk.epoch, seq: chunk.lastSeq },
      entry: { epoch: chunk.epoch, lastSeq: chunk.lastSeq, gapIds },
      payload: encodeBatch(chunk.epoch, chunk.epoch < liveEpoch, chunk, gaps, this.store.backlog()),
    };
  }

  /** Watches the oldest unacked batch; past the timeout everything unacked goes again (the cloud de-duplicates). */
  private armTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const oldest = this.inFlight[0];
    if (oldest === undefined || this.session === undefined) return;
    const wait = Math.max(0, oldest.sentAtMs + this.ackTimeoutMs - Date.now());
    this.timer = setTimeout(() => {
      this.logger.warn(
        { epoch: oldest.epoch, lastSeq: oldest.lastSeq, inFlight: this.inFlight.length },
        'no ack in time: sending the unacked telemetry again',
      );
      this.counters.resends += 1;
      this.rewind();
      this.kick();
    }, wait);
  }
}
