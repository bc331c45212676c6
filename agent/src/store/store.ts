import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { checkSample, type hashinsight } from '@hashinsight/protocol';
import Database from 'better-sqlite3';
import { migrate } from './migrations.js';
import { Outbox, type OutboxChunk, type OutboxGap, type OutboxStats } from './outbox.js';

type MinerSample = hashinsight.v1.IMinerSample;

/** Samples of one epoch, oldest first (decoded; for tests and diagnostics). */
export interface OutboxBatch {
  epoch: number;
  samples: hashinsight.v1.MinerSample[];
  /** The oldest seq of this epoch still held (every earlier one was acknowledged or dropped). */
  oldestUnackedSeq: number;
}

/** What one append stored (seqs firstSeq..lastSeq; none when lastSeq < firstSeq), refused, and dropped. */
export interface AppendResult {
  epoch: number;
  firstSeq: number;
  lastSeq: number;
  rejected: Array<{ minerId: string; reason: string }>;
  /** Older samples the disk budget dropped to make room (each also an outbox_gap row, an event and a log line). */
  dropped: OutboxGap[];
}

export interface StoreOptions {
  /** Disk budget of the outbox: packed payload bytes kept at most; unset = unlimited. */
  outboxMaxBytes?: number | undefined;
  /** Where drops are reported (warn). */
  logger?: { warn(obj: object, msg: string): void } | undefined;
}

/**
 * The agent's SQLite store: settings and the telemetry outbox (outbox.ts). The outbox is the source of truth for
 * delivery: a sample leaves it only when the cloud acknowledges that it has stored it, or when the disk budget
 * drops it — then as a recorded gap.
 */
export class AgentStore {
  /** Shared with the store's other modules (inventory, journal, credentials), which keep their own statements. */
  readonly db: Database.Database;
  private readonly statements;
  private readonly outbox: Outbox;

  constructor(
    dataDir: string,
    now: () => number = Date.now,
    private readonly options: StoreOptions = {},
  ) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    this.db = new Database(join(dataDir, 'agent.sqlite'));
    // WAL lets reads run beside the writer; FULL makes a committed poll survive power loss, at ~8% cost
    // with one transaction per poll cycle.
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('foreign_keys = ON');
    migrate(this.db);
    this.statements = {
      getSetting: this.db.prepare<[string], { value: string }>('SELECT value FROM setting WHERE key = ?'),
      setSetting: this.db.prepare<[string, string]>(
        'INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      ),
    };
    this.outbox = new Outbox(this.db, options.outboxMaxBytes, now);
    // An agent upgraded from the per-sample outbox of step 1 keeps its backlog.
    const moved = this.db.transaction(() => this.outbox.migrateLegacy())();
    if (moved > 0) options.logger?.warn({ samples: moved }, 'moved the old outbox into packed batches');
    // A new store starts its epochs at the current Unix time in seconds, so an agent reinstalled under the same
    // id still uses epochs newer than any its old store did, and the cloud never takes its samples for duplicates.
    if (this.setting('epoch') === undefined) {
      this.statements.setSetting.run('epoch', String(Math.floor(now() / 1000)));
    }
  }

  private setting(key: string): string | undefined {
    return this.statements.getSetting.get(key)?.value;
  }

  /** The agent id: the configured one, else the one generated on first start and kept since. */
  agentId(configured: string | undefined): string {
    const id = configured ?? this.setting('agent_id') ?? `agent-${randomBytes(8).toString('hex')}`;
    this.statements.setSetting.run('agent_id', id);
    return id;
  }

  /** The epoch new samples are stamped with. */
  currentEpoch(): number {
    return Number(this.setting('epoch') ?? 0);
  }

  /** Starts a new session epoch, persisted before it is used, so an epoch is never reused after a crash. */
  nextEpoch(): number {
    return this.db.transaction(() => {
      const epoch = this.currentEpoch() + 1;
      this.statements.setSetting.run('epoch', String(epoch));
      this.statements.setSetting.run('last_seq', '0');
      return epoch;
    })();
  }

  /**
   * Appends one poll cycle's samples in one transaction, numbering them in the current epoch. Each sample is
   * checked against the wire contract first: one that could never be sent is returned as rejected, not stored,
   * so it can never block the drain.
   */
  append(samples: Omit<MinerSample, 'seq'>[]): AppendResult {
    const result = this.db.transaction(() => {
      const epoch = this.currentEpoch();
      const firstSeq = Number(this.setting('last_seq') ?? 0) + 1;
      const rejected: AppendResult['rejected'] = [];
      const numbered: MinerSample[] = [];
      for (const sample of samples) {
        const candidate = { ...sample, seq: firstSeq + numbered.length };
        const problem = checkSample(candidate);
        if (problem === undefined) numbered.push(candidate);
        else rejected.push({ minerId: String(sample.minerId), reason: problem });
      }
      const lastSeq = firstSeq + numbered.length - 1;
      this.statements.setSetting.run('last_seq', String(lastSeq));
      const dropped = numbered.length > 0 ? this.outbox.insert(epoch, firstSeq, numbered) : [];
      return { epoch, firstSeq, lastSeq, rejected, dropped };
    })();
    for (const gap of result.dropped) {
      this.options.logger?.warn(
        { ...gap, budgetBytes: this.options.outboxMaxBytes },
        'outbox full: dropped the oldest samples unsent (a gap reported to the cloud)',
      );
    }
    return result;
  }

  /**
   * The next rows to send after (epoch, afterSeq), epochs up to `maxEpoch`, all of one epoch and at most one
   * message's worth (see Outbox.read).
   */
  readChunk(epoch: number, afterSeq: number, maxEpoch: number, maxBytes?: number): OutboxChunk | undefined {
    return this.outbox.read(epoch, afterSeq, maxEpoch, maxBytes);
  }

  /** The oldest waiting samples, decoded, all of the oldest epoch: at least one row, then up to `limit` samples. */
  oldestBatch(limit: number): OutboxBatch | undefined {
    const chunk = this.outbox.read(0, 0, Number.MAX_SAFE_INTEGER);
    if (chunk === undefined) return undefined;
    const samples = Outbox.samplesOf(chunk).slice(0, Math.max(1, limit));
    return { epoch: chunk.epoch, samples, oldestUnackedSeq: chunk.oldestUnackedSeq };
  }

  /** The cloud has stored every sample of `epoch` up to `upToSeq`: forget the rows it covers. Returns how many left. */
  acknowledge(epoch: number, upToSeq: number): number {
    return this.outbox.acknowledge(epoch, upToSeq);
  }

  /** Samples waiting for an ack. */
  backlog(): number {
    return this.outbox.samples();
  }

  /** The outbox against its budget, for doctor and health. */
  outboxStats(): OutboxStats {
    return this.outbox.stats();
  }

  /** Gaps not yet acknowledged by the cloud, oldest first: the sync sends them with its next batch. */
  pendingGaps(): OutboxGap[] {
    return this.outbox.pendingGaps();
  }

  /** The batch that carried these gaps was acknowledged: the cloud has them. */
  gapsReported(ids: readonly number[]): void {
    this.outbox.gapsReported(ids);
  }

  close(): void {
    this.db.close();
  }
}
