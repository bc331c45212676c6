import {
  hashinsight,
  MAX_MESSAGE_BYTES,
  MAX_SAMPLES_PER_BATCH,
  packSamples,
  unpackSamples,
} from '@hashinsight/protocol';
import type Database from 'better-sqlite3';

// The telemetry outbox: one outbox_batch row per append, its payload an encoded SampleBlock exactly as it goes on
// the wire, so a drain only concatenates rows. A disk budget drops the oldest whole rows and records each drop
// as an outbox_gap row (reported to the cloud) and a local event — never silently.

type MinerSample = hashinsight.v1.IMinerSample;
const { SampleBlock, MinerSample } = hashinsight.v1;

/**
 * Bytes of rows one message may carry: the message limit less room for the batch's own fields, its gaps and the
 * few bytes of framing each row adds.
 */
export const BATCH_BYTE_BUDGET = MAX_MESSAGE_BYTES - 16 * 1024;

/** Rows one read looks at; a message holds at most this many blocks. */
const ROWS_PER_READ = MAX_SAMPLES_PER_BATCH;

/** Consecutive rows of one epoch, ready to go as one TelemetryBatch. */
export interface OutboxChunk {
  epoch: number;
  firstSeq: number;
  lastSeq: number;
  samples: number;
  /** Encoded SampleBlocks, oldest first. */
  blocks: Buffer[];
  bytes: number;
  /** The oldest seq of this epoch still held (every earlier one was acknowledged or dropped). */
  oldestUnackedSeq: number;
}

/** Samples of one epoch dropped unsent (a row of outbox_gap). */
export interface OutboxGap {
  id: number;
  epoch: number;
  firstSeq: number;
  lastSeq: number;
  samples: number;
  oldestTimeMs: number;
  newestTimeMs: number;
  droppedAtMs: number;
  reason: 'disk_budget';
}

export interface OutboxStats {
  /** Samples waiting for an ack. */
  samples: number;
  /** Rows (one per append) waiting. */
  batches: number;
  /** Bytes of packed payload waiting: what the budget counts. */
  bytes: number;
  /** The budget; undefined when unlimited. */
  budgetBytes: number | undefined;
  /** Poll time of the oldest waiting sample. */
  oldestTimeMs: number | undefined;
  /** Gaps not yet acknowledged by the cloud. */
  gapsPending: number;
}

interface Row {
  epoch: number;
  first_seq: number;
  last_seq: number;
  samples: number;
  oldest_time_ms: number;
  newest_time_ms: number;
  bytes: number;
}

export class Outbox {
  private readonly statements;
  private totals: { samples: number; batches: number; bytes: number };

  constructor(
    private readonly db: Database.Database,
    private readonly budgetBytes: number | undefined,
    private readonly now: () => number,
  ) {
    this.statements = {
      insert: db.prepare<[number, number, number, number, number, number, number, Uint8Array]>(
        `INSERT INTO outbox_batch (epoch, first_seq, last_seq, samples, oldest_time_ms, newest_time_ms, bytes, payload)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      // Two steps: the row headers first (no payload, whose overflow pages would be read for nothing), then the
      // payloads of the rows chosen.
      read: db.prepare<[number, number, number, number], Row>(
        `SELECT epoch, first_seq, last_seq, samples, oldest_time_ms, newest_time_ms, bytes
         FROM outbox_batch WHERE (epoch, first_seq) > (?, ?) AND epoch <= ? ORDER BY epoch, first_seq LIMIT ?`,
      ),
      payloads: db.prepare<[number, number, number], { payload: Buffer }>(
        'SELECT payload FROM outbox_batch WHERE epoch = ? AND first_seq BETWEEN ? AND ? ORDER BY first_seq',
      ),
      oldestOfEpoch: db.prepare<[number], { seq: number | null }>(
        'SELECT min(first_seq) AS seq FROM outbox_batch WHERE epoch = ?',
      ),
      oldestRow: db.prepare<[], Row>(
        `SELECT epoch, first_seq, last_seq, samples, oldest_time_ms, newest_time_ms, bytes
         FROM outbox_batch ORDER BY epoch, first_seq LIMIT 1`,
      ),
      deleteRow: db.prepare<[number, number]>('DELETE FROM outbox_batch WHERE epoch = ? AND first_seq = ?'),
      // first_seq bounds the key range (last_seq has no index): a row ending at or below the ack starts there too.
      ack: db.prepare<[number, number, number], { samples: number; bytes: number }>(
        'DELETE FROM outbox_batch WHERE epoch = ? AND first_seq <= ? AND last_seq <= ? RETURNING samples, bytes',
      ),
      totals: db.prepare<[], { samples: number | null; batches: number; bytes: number | null }>(
        'SELECT sum(samples) AS samples, count(*) AS batches, sum(bytes) AS bytes FROM outbox_batch',
      ),
      insertGap: db.prepare<[number, number, number, number, number, number, number, string]>(
        `INSERT INTO outbox_gap (epoch, first_seq, last_seq, samples, oldest_time_ms, newest_time_ms, dropped_at_ms, reason)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      gaps: db.prepare<[], Omit<OutboxGap, 'reason'> & { reason: string }>(
        `SELECT id, epoch, first_seq AS firstSeq, last_seq AS lastSeq, samples, oldest_time_ms AS oldestTimeMs,
           newest_time_ms AS newestTimeMs, dropped_at_ms AS droppedAtMs, reason FROM outbox_gap ORDER BY id`,
      ),
      gapCount: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM outbox_gap'),
      deleteGap: db.prepare<[number]>('DELETE FROM outbox_gap WHERE id = ?'),
      event: db.prepare<[number, string]>(
        `INSERT INTO event (at_ms, kind, detail) VALUES (?, 'outbox.gap', ?)`,
      ),
      legacyCount: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM outbox'),
      legacyRows: db.prepare<[number, number, number], { epoch: number; seq: number; sample: Buffer }>(
        'SELECT epoch, seq, sample FROM outbox WHERE (epoch, seq) > (?, ?) ORDER BY epoch, seq LIMIT ?',
      ),
      legacyClear: db.prepare('DELETE FROM outbox'),
    };
    this.totals = this.readTotals();
  }

  private readTotals() {
    const row = this.statements.totals.get();
    return { samples: row?.samples ?? 0, batches: row?.batches ?? 0, bytes: row?.bytes ?? 0 };
  }

  /**
   * Stores numbered samples (seqs firstSeq.. of `epoch`, in order) as rows: one normally, more only when they
   * would not fit one message. Then enforces the budget. Call inside the append's transaction.
   */
  insert(epoch: number, firstSeq: number, samples: MinerSample[]): OutboxGap[] {
    for (let start = 0; start < samples.length; start += MAX_SAMPLES_PER_BATCH) {
      this.insertRow(epoch, firstSeq + start, samples.slice(start, start + MAX_SAMPLES_PER_BATCH));
    }
    return this.enforceBudget();
  }

  private insertRow(epoch: number, firstSeq: number, samples: MinerSample[]): void {
    if (samples.length === 0) return;
    const payload = SampleBlock.encode(packSamples(samples, firstSeq)).finish();
    if (payload.length > BATCH_BYTE_BUDGET && samples.length > 1) {
      // Rare (samples of kilobytes each): halve until each row fits a message.
      const half = Math.ceil(samples.length / 2);
      this.insertRow(epoch, firstSeq, samples.slice(0, half));
      this.insertRow(epoch, firstSeq + half, samples.slice(half));
      return;
    }
    const times = samples.map((s) => Number(s.timeMs));
    this.statements.insert.run(
      epoch,
      firstSeq,
      firstSeq + samples.length - 1,
      samples.length,
      Math.min(...times),
      Math.max(...times),
      payload.length,
      payload,
    );
    this.totals.samples += samples.length;
    this.totals.batches += 1;
    this.totals.bytes += payload.length;
  }

  /** Drops the oldest whole rows until the payload fits the budget (never the newest row); one gap per epoch run. */
  private enforceBudget(): OutboxGap[] {
    const budget = this.budgetBytes;
    const gaps: OutboxGap[] = [];
    if (budget === undefined) return gaps;
    const droppedAtMs = this.now();
    let open: Omit<OutboxGap, 'id'> | undefined;
    const close = () => {
      if (!open) return;
      const g = open;
      const id = Number(
        this.statements.insertGap.run(
          g.epoch,
          g.firstSeq,
          g.lastSeq,
          g.samples,
          g.oldestTimeMs,
          g.newestTimeMs,
          g.droppedAtMs,
          g.reason,
        ).lastInsertRowid,
      );
      this.statements.event.run(droppedAtMs, JSON.stringify({ ...g, budgetBytes: budget }));
      gaps.push({ id, ...g });
      open = undefined;
    };
    while (this.totals.bytes > budget && this.totals.batches > 1) {
      const row = this.statements.oldestRow.get();
      if (!row) break;
      this.statements.deleteRow.run(row.epoch, row.first_seq);
      this.totals.samples -= row.samples;
      this.totals.batches -= 1;
      this.totals.bytes -= row.bytes;
      if (open && open.epoch === row.epoch && open.lastSeq + 1 === row.first_seq) {
        open.lastSeq = row.last_seq;
        open.samples += row.samples;
        open.oldestTimeMs = Math.min(open.oldestTimeMs, row.oldest_time_ms);
        open.newestTimeMs = Math.max(open.newestTimeMs, row.newest_time_ms);
        continue;
      }
      close();
      open = {
        epoch: row.epoch,
        firstSeq: row.first_seq,
        lastSeq: row.last_seq,
        samples: row.samples,
        oldestTimeMs: row.oldest_time_ms,
        newestTimeMs: row.newest_time_ms,
        droppedAtMs,
        reason: 'disk_budget',
      };
    }
    close();
    return gaps;
  }

  /**
   * Rows after (epoch, afterSeq) with epochs up to `maxEpoch`, all of the first epoch found: at most
   * MAX_SAMPLES_PER_BATCH samples and `maxBytes` of payload (always at least one row).
   */
  read(
    epoch: number,
    afterSeq: number,
    maxEpoch: number,
    maxBytes = BATCH_BYTE_BUDGET,
  ): OutboxChunk | undefined {
    const rows = this.statements.read.all(epoch, afterSeq, maxEpoch, ROWS_PER_READ);
    const first = rows[0];
    if (first === undefined) return undefined;
    const chunk: OutboxChunk = {
      epoch: first.epoch,
      firstSeq: first.first_seq,
      lastSeq: first.last_seq,
      samples: 0,
      blocks: [],
      bytes: 0,
      oldestUnackedSeq: this.statements.oldestOfEpoch.get(first.epoch)?.seq ?? first.first_seq,
    };
    let lastFirstSeq = first.first_seq;
    for (const row of rows) {
      if (row.epoch !== first.epoch) break;
      if (
        chunk.samples > 0 &&
        (chunk.samples + row.samples > MAX_SAMPLES_PER_BATCH || chunk.bytes + row.bytes > maxBytes)
      ) {
        break;
      }
      chunk.samples += row.samples;
      chunk.bytes += row.bytes;
      chunk.lastSeq = row.last_seq;
      lastFirstSeq = row.first_seq;
    }
    chunk.blocks = this.statements.payloads
      .all(first.epoch, first.first_seq, lastFirstSeq)
      .map((r) => r.payload);
    return chunk;
  }

  /** Decodes a chunk's samples (tests, diagnostics). */
  static samplesOf(chunk: OutboxChunk): hashinsight.v1.MinerSample[] {
    return chunk.blocks.flatMap((block) => unpackSamples(SampleBlock.decode(block)));
  }

  /** The cloud stored every sample of `epoch` up to `upToSeq`: forget the rows it covers. Returns samples removed. */
  acknowledge(epoch: number, upToSeq: number): number {
    let removed = 0;
    // Deleting acked rows need not reach the disk before we go on: should power fail first, the rows are sent
    // again and the cloud de-duplicates them. So no fsync per ack (WAL, synchronous NORMAL) — during a long drain
    // the fsyncs, not the CPU, set the pace. Appends keep FULL.
    this.db.pragma('synchronous = NORMAL');
    try {
      for (const row of this.statements.ack.all(epoch, upToSeq, upToSeq)) {
        removed += row.samples;
        this.totals.samples -= row.samples;
        this.totals.batches -= 1;
        this.totals.bytes -= row.bytes;
      }
    } finally {
      this.db.pragma('synchronous = FULL');
    }
    return removed;
  }

  /** Gaps the cloud has not acknowledged yet, oldest first. */
  pendingGaps(): OutboxGap[] {
    return this.statements.gaps.all().map((g) => ({ ...g, reason: 'disk_budget' as const }));
  }

  /** The cloud has recorded these gaps (their batch was acknowledged). The local event row stays. */
  gapsReported(ids: readonly number[]): void {
    for (const id of ids) this.statements.deleteGap.run(id);
  }

  samples(): number {
    return this.totals.samples;
  }

  stats(): OutboxStats {
    const oldest = this.statements.oldestRow.get();
    return {
      ...this.totals,
      budgetBytes: this.budgetBytes,
      oldestTimeMs: oldest?.oldest_time_ms,
      gapsPending: this.statements.gapCount.get()?.n ?? 0,
    };
  }

  /**
   * Moves the samples of step 1's per-sample outbox (an agent upgraded with a backlog) into rows: runs of
   * consecutive seqs of one epoch, each row at most one message. Returns how many moved.
   */
  migrateLegacy(): number {
    if ((this.statements.legacyCount.get()?.n ?? 0) === 0) return 0;
    let moved = 0;
    let run: MinerSample[] = [];
    let runEpoch = 0;
    let runFirst = 0;
    const flush = () => {
      if (run.length > 0) this.insert(runEpoch, runFirst, run);
      moved += run.length;
      run = [];
    };
    // Paged: a long outage's backlog need not fit in memory at once.
    let after = { epoch: 0, seq: 0 };
    for (;;) {
      const page = this.statements.legacyRows.all(after.epoch, after.seq, MAX_SAMPLES_PER_BATCH);
      for (const row of page) {
        const contiguous = row.epoch === runEpoch && row.seq === runFirst + run.length;
        if (!contiguous || run.length === MAX_SAMPLES_PER_BATCH) {
          flush();
          runEpoch = row.epoch;
          runFirst = row.seq;
        }
        run.push(MinerSample.decode(row.sample));
        after = row;
      }
      if (page.length < MAX_SAMPLES_PER_BATCH) break;
    }
    flush();
    this.statements.legacyClear.run();
    return moved;
  }
}
