import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { hashinsight, MAX_MESSAGE_BYTES, ProtocolError, telemetryBatchCodec } from '@hashinsight/protocol';
import Database from 'better-sqlite3';
import { migrate } from './migrations.js';

type MinerSample = hashinsight.v1.IMinerSample;
const { MinerSample } = hashinsight.v1;

/** Samples of one epoch, oldest first, ready to send as one batch. */
export interface OutboxBatch {
  epoch: number;
  samples: MinerSample[];
  /** The oldest seq of this epoch still held (every earlier one was acknowledged). */
  oldestUnackedSeq: number;
}

/**
 * Bytes of encoded samples one batch may carry: the message limit less room for the batch's own fields and the
 * 2-4 bytes of framing each sample adds.
 */
export const BATCH_BYTE_BUDGET = MAX_MESSAGE_BYTES - 16 * 1024;

/** What one append stored (seqs firstSeq..lastSeq; none when lastSeq < firstSeq) and what it refused. */
export interface AppendResult {
  epoch: number;
  firstSeq: number;
  lastSeq: number;
  rejected: Array<{ minerId: string; reason: string }>;
}

/**
 * The agent's SQLite store: settings and the telemetry outbox. The outbox is the source of truth for
 * delivery: a sample leaves it only when the cloud acknowledges that it has stored it.
 */
export class AgentStore {
  /** Shared with the store's other modules (inventory, journal, credentials), which keep their own statements. */
  readonly db: Database.Database;
  private readonly statements;

  constructor(dataDir: string, now: () => number = Date.now) {
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
      insert: this.db.prepare<[number, number, string, number, Uint8Array]>(
        'INSERT INTO outbox (epoch, seq, miner_id, time_ms, sample) VALUES (?, ?, ?, ?, ?)',
      ),
      oldestEpoch: this.db.prepare<[], { epoch: number }>(
        'SELECT epoch FROM outbox ORDER BY epoch, seq LIMIT 1',
      ),
      batch: this.db.prepare<[number, number], { seq: number; sample: Buffer }>(
        'SELECT seq, sample FROM outbox WHERE epoch = ? ORDER BY seq LIMIT ?',
      ),
      ack: this.db.prepare<[number, number]>('DELETE FROM outbox WHERE epoch = ? AND seq <= ?'),
      backlog: this.db.prepare<[], { samples: number }>('SELECT count(*) AS samples FROM outbox'),
    };
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
    return this.db.transaction(() => {
      const epoch = this.currentEpoch();
      let seq = Number(this.setting('last_seq') ?? 0);
      const firstSeq = seq + 1;
      const rejected: AppendResult['rejected'] = [];
      for (const sample of samples) {
        const numbered = { ...sample, seq: seq + 1 };
        try {
          telemetryBatchCodec.encode({ epoch, samples: [numbered] });
        } catch (error) {
          if (!(error instanceof ProtocolError)) throw error;
          rejected.push({ minerId: String(sample.minerId), reason: error.message });
          continue;
        }
        seq += 1;
        this.statements.insert.run(
          epoch,
          seq,
          String(sample.minerId),
          Number(sample.timeMs),
          MinerSample.encode(numbered).finish(),
        );
      }
      this.statements.setSetting.run('last_seq', String(seq));
      return { epoch, firstSeq, lastSeq: seq, rejected };
    })();
  }

  /**
   * The oldest samples still waiting, all from the oldest epoch that has any: at most `limit` of them and at most
   * `maxBytes` of encoded samples (always at least one), so the batch never crosses the message limit.
   */
  oldestBatch(limit: number, maxBytes = BATCH_BYTE_BUDGET): OutboxBatch | undefined {
    const oldest = this.statements.oldestEpoch.get();
    if (oldest === undefined) return undefined;
    const rows = this.statements.batch.all(oldest.epoch, limit);
    const first = rows[0];
    if (first === undefined) return undefined;
    const samples: MinerSample[] = [];
    let bytes = 0;
    for (const row of rows) {
      bytes += row.sample.length + 4;
      if (samples.length > 0 && bytes > maxBytes) break;
      samples.push(MinerSample.decode(row.sample));
    }
    return { epoch: oldest.epoch, samples, oldestUnackedSeq: first.seq };
  }

  /** The cloud has stored every sample of `epoch` up to `upToSeq`: forget them. Returns how many left. */
  acknowledge(epoch: number, upToSeq: number): number {
    return this.statements.ack.run(epoch, upToSeq).changes;
  }

  /** Samples waiting for an ack. */
  backlog(): number {
    return this.statements.backlog.get()?.samples ?? 0;
  }

  close(): void {
    this.db.close();
  }
}
