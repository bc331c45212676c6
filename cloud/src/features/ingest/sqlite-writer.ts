import type { hashinsight } from '@hashinsight/protocol';
import type { Db, SqliteHandle } from '../../db/index.js';
import type { IpProtector } from '../miners/index.js';
import { UnknownAgentError } from './errors.js';
import { IDENTITY_COLUMNS, NO_IDENTITY, protectIdentity } from './mapping.js';
import { type BatchPlan, planBatch, type TelemetryOutcome } from './plan.js';

// The SQLite ingest: telemetry batches of all agents that arrive while the single writer is busy are committed
// together in one transaction (group commit), through prepared statements on the better-sqlite3 handle. With
// synchronous=FULL every commit is an fsync; sharing it between batches is how an ack can stay a durability
// promise and still be cheap. Each batch runs in a savepoint of its own, so one failing batch fails alone; every
// batch's promise settles only after the shared COMMIT returned.

type TelemetryBatch = hashinsight.v1.TelemetryBatch.$Properties;

interface Job {
  agentId: string;
  batch: TelemetryBatch;
  nowMs: number;
  /** Seals the agent's tenant's addresses when the batch carries identities (service.ts resolves it first). */
  protect: IpProtector | undefined;
  resolve: (outcome: TelemetryOutcome) => void;
  reject: (error: unknown) => void;
}

/** The writes of postgres-writer.ts in SQLite's words, compiled once per database. */
function prepareStatements(sqlite: SqliteHandle) {
  const identityColumns = IDENTITY_COLUMNS.join(', ');
  // ip = '': a row stored before migration 0014 may still hold its address in clear; the identity replaces it.
  const identityUpdate = `ip = '', ${IDENTITY_COLUMNS.map((column) => `${column} = excluded.${column}`).join(', ')},`;
  const minerUpsert = (withIdentity: boolean) =>
    sqlite.prepare(
      `insert into miner (id, agent_id, ${identityColumns}, tenant_id, site_id, first_seen_at, last_seen_at)
       values (?, ?, ${IDENTITY_COLUMNS.map(() => '?').join(', ')}, ?, ?, ?, ?)
       on conflict (agent_id, id) do update set
         ${withIdentity ? identityUpdate : ''}
         first_seen_at = min(miner.first_seen_at, excluded.first_seen_at),
         last_seen_at = max(miner.last_seen_at, excluded.last_seen_at)`,
    );
  return {
    agent: sqlite.prepare<
      [string],
      { revoked_at: number | null; tenant_id: string | null; site_id: string | null }
    >('select revoked_at, tenant_id, site_id from agent where id = ?'),
    mark: sqlite.prepare<[string, number], { up_to_seq: number }>(
      'select up_to_seq from telemetry_stream where agent_id = ? and epoch = ?',
    ),
    sample: sqlite.prepare(
      `insert into miner_sample (agent_id, miner_id, time_ms, status, hashrate_mhs, hashrate_avg_mhs,
         hashrate_expected_mhs, power_w, chip_temp_max_dc, board_temp_max_dc, fan_min_rpm, fan_max_rpm, accepted,
         rejected) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       on conflict (agent_id, miner_id, time_ms) do nothing`,
    ),
    dirtyHour: sqlite.prepare(
      `insert into telemetry_rollup_dirty (hour_ms, version) values (?, 1)
       on conflict (hour_ms) do update set version = telemetry_rollup_dirty.version + 1`,
    ),
    minerWithIdentity: minerUpsert(true),
    minerKeepIdentity: minerUpsert(false),
    // Most samples carry no identity (the agent sends it once per epoch and on change) and their miner exists:
    // a plain update costs about half the upsert.
    minerSeen: sqlite.prepare(
      `update miner set first_seen_at = min(first_seen_at, ?), last_seen_at = max(last_seen_at, ?)
       where agent_id = ? and id = ?`,
    ),
    latest: sqlite.prepare(
      `insert into miner_latest (agent_id, miner_id, time_ms, status, hashrate_mhs, hashrate_avg_mhs,
         hashrate_expected_mhs, power_w, uptime_s, detail, poll_error) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       on conflict (agent_id, miner_id) do update set time_ms = excluded.time_ms, status = excluded.status,
         hashrate_mhs = excluded.hashrate_mhs, hashrate_avg_mhs = excluded.hashrate_avg_mhs,
         hashrate_expected_mhs = excluded.hashrate_expected_mhs, power_w = excluded.power_w,
         uptime_s = excluded.uptime_s, detail = excluded.detail, poll_error = excluded.poll_error
       where miner_latest.time_ms < excluded.time_ms`,
    ),
    setMark: sqlite.prepare(
      `insert into telemetry_stream (agent_id, epoch, up_to_seq, updated_at) values (?, ?, ?, ?)
       on conflict (agent_id, epoch) do update set up_to_seq = excluded.up_to_seq, updated_at = excluded.updated_at`,
    ),
    // The agents page's last sync and backlog; an agent that does not state its backlog keeps the birth's.
    agentSynced: sqlite.prepare(
      `update agent set last_seen_at = ?, last_sync_at = ?, backlog_samples = coalesce(?, backlog_samples)
       where id = ?`,
    ),
  };
}

type Statements = ReturnType<typeof prepareStatements>;

/** One batch inside the group's transaction: the same checks and writes as ingestPostgres. */
function writeBatch(statements: Statements, job: Job): TelemetryOutcome {
  const { agentId, batch, nowMs } = job;
  const agent = statements.agent.get(agentId);
  if (agent === undefined || agent.revoked_at !== null) throw new UnknownAgentError(agentId);
  const epoch = batch.epoch ?? 0;
  const stored = Number(statements.mark.get(agentId, epoch)?.up_to_seq ?? 0);
  const plan: BatchPlan = planBatch(agentId, batch, stored, nowMs);
  for (const row of plan.samples) {
    statements.sample.run(
      row.agent_id,
      row.miner_id,
      row.time_ms,
      row.status,
      row.hashrate_mhs,
      row.hashrate_avg_mhs,
      row.hashrate_expected_mhs,
      row.power_w,
      row.chip_temp_max_dc,
      row.board_temp_max_dc,
      row.fan_min_rpm,
      row.fan_max_rpm,
      row.accepted,
      row.rejected,
    );
  }
  for (const hour of plan.lateHours) statements.dirtyHour.run(hour);
  for (const miner of plan.miners) {
    const identity = miner.identity;
    if (
      identity === undefined &&
      statements.minerSeen.run(miner.firstSeenAt, miner.lastSeenAt, agentId, miner.id).changes > 0
    ) {
      continue;
    }
    const stored =
      identity === undefined ? NO_IDENTITY : protectIdentity(identity, agentId, miner.id, job.protect);
    (identity ? statements.minerWithIdentity : statements.minerKeepIdentity).run(
      miner.id,
      agentId,
      ...IDENTITY_COLUMNS.map((column) => stored[column]),
      agent.tenant_id,
      agent.site_id,
      miner.firstSeenAt,
      miner.lastSeenAt,
    );
  }
  for (const row of plan.latest) {
    statements.latest.run(
      agentId,
      row.minerId,
      row.timeMs,
      row.status,
      row.hashrateMhs,
      row.hashrateAvgMhs,
      row.hashrateExpectedMhs,
      row.powerW,
      row.uptimeS,
      row.detail,
      row.pollError,
    );
  }
  statements.setMark.run(agentId, epoch, plan.outcome.upToSeq, nowMs);
  statements.agentSynced.run(nowMs, nowMs, batch.backlogSamples ?? null, agentId);
  return plan.outcome;
}

/** Group commit over one SQLite database; one per Db (see sqliteWriterOf). */
export class SqliteIngestWriter {
  private pending: Job[] = [];
  private flushing: Promise<void> | undefined;
  private statements: Statements | undefined;
  /** Groups committed so far and the batches they held, so tests can see batches share a commit. */
  readonly stats = { commits: 0, batches: 0 };

  constructor(
    private readonly db: Db,
    private readonly sqlite: SqliteHandle,
  ) {}

  /** Stores `batch` of `agentId` with whatever else is queued; settles after the shared commit. */
  submit(
    agentId: string,
    batch: TelemetryBatch,
    nowMs: number,
    protect?: IpProtector,
  ): Promise<TelemetryOutcome> {
    return new Promise((resolve, reject) => {
      this.pending.push({ agentId, batch, nowMs, protect, resolve, reject });
      // setImmediate: batches handed in during this turn of the event loop (messages read from the same socket
      // chunk, or from many agents at once) join the group.
      this.flushing ??= new Promise((done) => setImmediate(done)).then(() => this.flushAll());
    });
  }

  private async flushAll(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        // Kysely's connection lock: nobody else's transaction is open on the handle while the group runs.
        await this.db.connection().execute(async () => this.flushGroup());
      }
    } finally {
      this.flushing = undefined;
    }
  }

  private flushGroup(): void {
    const jobs = this.pending;
    this.pending = [];
    if (jobs.length === 0) return;
    const results: ({ ok: true; outcome: TelemetryOutcome } | { ok: false; error: unknown })[] = [];
    try {
      this.statements ??= prepareStatements(this.sqlite);
      const statements = this.statements;
      // better-sqlite3 runs a transaction function nested in another as a savepoint.
      const perBatch = this.sqlite.transaction((job: Job) => writeBatch(statements, job));
      this.sqlite.transaction(() => {
        for (const job of jobs) {
          try {
            results.push({ ok: true, outcome: perBatch(job) });
          } catch (error) {
            results.push({ ok: false, error });
          }
        }
      })();
    } catch (error) {
      // BEGIN or COMMIT failed (or the statements could not be prepared): nothing of the group is stored, so
      // no batch may be acked.
      for (const job of jobs) job.reject(error);
      return;
    }
    this.stats.commits += 1;
    this.stats.batches += jobs.length;
    jobs.forEach((job, index) => {
      const result = results[index];
      if (result?.ok) job.resolve(result.outcome);
      else job.reject(result?.error);
    });
  }
}

const writers = new WeakMap<Db, SqliteIngestWriter>();

/** The group-commit writer of `db`, whose better-sqlite3 handle is `sqlite`; one per database. */
export function sqliteWriterOf(db: Db, sqlite: SqliteHandle): SqliteIngestWriter {
  let writer = writers.get(db);
  if (writer === undefined) {
    writer = new SqliteIngestWriter(db, sqlite);
    writers.set(db, writer);
  }
  return writer;
}
