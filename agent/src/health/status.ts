import type { PollerStats } from '../poll/index.js';
import type { AgentStore } from '../store/index.js';
import type { CloudSync } from '../sync/index.js';

/**
 * Liveness of the poll loop: when it last wrote polls to the store. With miners to poll and nothing written for
 * `stallAfterMs`, the loop is stuck, not slow, and GET /healthz says so (a container healthcheck then restarts
 * the agent; the outbox keeps what was written).
 */
export class PollWatch {
  private lastWriteMs: number | undefined;

  constructor(
    private readonly stallAfterMs: number,
    private readonly startedMs: number,
  ) {}

  written(nowMs: number): void {
    this.lastWriteMs = nowMs;
  }

  get lastWriteAtMs(): number | undefined {
    return this.lastWriteMs;
  }

  live(miners: number, nowMs: number): { ok: boolean; reason?: string } {
    const since = nowMs - (this.lastWriteMs ?? this.startedMs);
    if (miners === 0 || since <= this.stallAfterMs) return { ok: true };
    return { ok: false, reason: `no poll written for ${Math.round(since / 1000)} s` };
  }
}

export interface StatusSources {
  agentId: string;
  version: string;
  startedMs: number;
  store: AgentStore;
  sync: CloudSync;
  poller: { stats(): PollerStats };
  pollWatch: PollWatch;
}

const iso = (ms: number | null | undefined) =>
  ms === undefined || ms === null ? null : new Date(ms).toISOString();

/** GET /status: what a technician or a supervisor needs at a glance. Ids, counts and times only: no secrets. */
export function agentStatus(sources: StatusSources, nowMs = Date.now()): Record<string, unknown> {
  const { store, sync } = sources;
  const stats = sync.stats();
  const poll = sources.poller.stats();
  const outbox = store.outboxStats();
  // Counted in SQL: a monitor may ask every few seconds, and a site may have 10,000 miners.
  const miners = { online: 0, offline: 0, unknown: 0, total: 0 };
  const counts = store.db
    .prepare<[], { state: 'online' | 'offline' | 'unknown'; n: number }>(
      'SELECT state, count(*) AS n FROM miner GROUP BY state',
    )
    .all();
  for (const { state, n } of counts) {
    miners[state] += n;
    miners.total += n;
  }
  const scan = store.db
    .prepare<[], { startedMs: number; finishedMs: number | null; probed: number; found: number }>(
      'SELECT started_ms AS startedMs, finished_ms AS finishedMs, probed, found FROM scan ORDER BY started_ms DESC LIMIT 1',
    )
    .get();
  return {
    agentId: sources.agentId,
    version: sources.version,
    uptimeS: Math.round((nowMs - sources.startedMs) / 1000),
    epoch: store.currentEpoch(),
    broker: { connected: stats.connected },
    cloud: { online: stats.cloudOnline ?? null, lastAckAt: iso(stats.lastAckAtMs) },
    backlog: {
      samples: outbox.samples,
      batches: outbox.batches,
      bytes: outbox.bytes,
      budgetBytes: outbox.budgetBytes ?? null,
      oldestSampleAt: iso(outbox.oldestTimeMs),
      gapsPending: outbox.gapsPending,
    },
    miners,
    lastScan: scan
      ? {
          startedAt: iso(scan.startedMs),
          finishedAt: iso(scan.finishedMs),
          probed: scan.probed,
          found: scan.found,
        }
      : null,
    poll: {
      miners: poll.miners,
      inFlight: poll.inFlight,
      waiting: poll.waiting,
      lagP50Ms: Math.round(poll.lag.p50Ms),
      lagP99Ms: Math.round(poll.lag.p99Ms),
      lagMaxMs: Math.round(poll.lag.maxMs),
      lastWriteAt: iso(sources.pollWatch.lastWriteAtMs),
    },
  };
}
