import type { Inventory } from '../inventory/index.js';
import type { AgentStore } from '../store/index.js';
import type { CloudSync } from '../sync/index.js';

/**
 * Follows the poll loop for /status and liveness: when the last cycle finished and how long it took. A loop that
 * has finished no cycle for `stallAfterMs` is not live (a container's healthcheck then restarts the agent).
 */
export class PollTracker {
  private lastFinishedMs: number | undefined;
  private lastDurationMs: number | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly stallAfterMs: number,
    private readonly startedMs: number,
  ) {}

  cycleFinished(durationMs: number, nowMs: number): void {
    this.lastFinishedMs = nowMs;
    this.lastDurationMs = durationMs;
  }

  /** How far the next cycle is behind its schedule (0 when on time). */
  lagMs(nowMs: number): number {
    return Math.max(0, nowMs - (this.lastFinishedMs ?? this.startedMs) - this.intervalMs);
  }

  live(nowMs: number): { ok: boolean; reason?: string } {
    const since = nowMs - (this.lastFinishedMs ?? this.startedMs);
    if (since <= this.stallAfterMs) return { ok: true };
    return { ok: false, reason: `no poll cycle finished for ${Math.round(since / 1000)} s` };
  }

  snapshot(nowMs: number) {
    return {
      intervalMs: this.intervalMs,
      lastCycleAt: this.lastFinishedMs === undefined ? null : new Date(this.lastFinishedMs).toISOString(),
      lastCycleMs: this.lastDurationMs ?? null,
      lagMs: this.lagMs(nowMs),
    };
  }
}

export interface StatusSources {
  agentId: string;
  version: string;
  startedMs: number;
  outboxMaxBytes: number;
  store: AgentStore;
  sync: CloudSync;
  inventory: Inventory;
  poll: PollTracker;
}

const iso = (ms: number | null | undefined) =>
  ms === undefined || ms === null ? null : new Date(ms).toISOString();

/** GET /status: what a technician or a supervisor needs at a glance. Ids, counts and times only: no secrets. */
export function agentStatus(sources: StatusSources, nowMs = Date.now()): Record<string, unknown> {
  const { store, sync, inventory } = sources;
  const stats = sync.stats();
  const miners = { online: 0, offline: 0, unknown: 0, total: 0 };
  for (const miner of inventory.list()) {
    miners[miner.state] += 1;
    miners.total += 1;
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
    backlog: { samples: store.backlog(), budgetBytes: sources.outboxMaxBytes },
    miners,
    lastScan: scan
      ? {
          startedAt: iso(scan.startedMs),
          finishedAt: iso(scan.finishedMs),
          probed: scan.probed,
          found: scan.found,
        }
      : null,
    poll: sources.poll.snapshot(nowMs),
  };
}
