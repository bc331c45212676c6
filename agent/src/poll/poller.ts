import { MinerError, type Reading } from '@hashinsight/miners';
import type { hashinsight } from '@hashinsight/protocol';
import type { Logger } from 'pino';
import { type Inventory, ipFallbackId, type MinerState, minerIdFor } from '../inventory/index.js';
import type { AgentStore, AppendResult } from '../store/index.js';
import { DueQueue } from './due-queue.js';
import { type LagStats, LagWindow } from './lag.js';
import { mapLimit } from './map-limit.js';
import { failureToSample, identityOf, readingToSample } from './to-sample.js';

/** What the poller knows of a miner when it reads it. */
export interface PollTarget {
  minerId: string;
  ip: string;
  port: number;
  /** Driver that identified it, when known. */
  driver?: string;
}

/** Reads one miner; rejects with a MinerError when it cannot be read. Its transport owns per-request timeouts. */
export type ReadMiner = (target: PollTarget) => Promise<{ reading: Reading; driver: string }>;

export interface PollerOptions {
  /** Time between two polls of a miner (default 60 s). */
  intervalMs?: number;
  /** Each interval varies by up to ± this share, so a fleet found at once is not read in lockstep (default 10). */
  jitterPct?: number;
  /** Polls in flight at once (default 64). */
  concurrency?: number;
  /** A poll not done by then counts as failed and frees its slot, whatever the miner does (default 15 s). */
  deadlineMs?: number;
  /** Longest wait between polls of a miner that stays unreachable (default 10 min). */
  backoffMaxMs?: number;
  /** Failed polls in a row before a miner is offline; backoff starts there (default 3). */
  offlineAfterFailures?: number;
  /** How often finished polls are written to the outbox, in one transaction (default 1 s). */
  flushMs?: number;
  /** How often the miner list is reloaded from the inventory (default 60 s; `refresh()` does it at once). */
  refreshMs?: number;
  /** Addresses always polled, found by a scan or not (config `miners`), on `port`. */
  staticTargets?: string[];
  port?: number;
  now?: () => number;
  random?: () => number;
}

export interface PollerHooks {
  /** After each write to the outbox (the daemon kicks the sync here). */
  onFlush?: (result: FlushResult) => void;
  /** After a miner's state change is recorded. */
  onStateChange?: (minerId: string, state: MinerState) => void;
}

/** What one flush stored: samples firstSeq..lastSeq of `epoch`, and what the wire contract refused. */
export interface FlushResult extends AppendResult {
  samples: number;
  failed: number;
}

/** One full pass of runCycle(). */
export interface CycleResult {
  polled: number;
  failed: number;
  durationMs: number;
  /** What the flush stored (with anything else finished since the last flush); undefined when nothing was. */
  stored: FlushResult | undefined;
}

export interface PollerStats {
  miners: number;
  online: number;
  offline: number;
  inFlight: number;
  /** Miners past their due time still waiting for a slot. */
  waiting: number;
  polls: number;
  failures: number;
  lag: LagStats;
}

interface Entry extends PollTarget {
  dueMs: number;
  failures: number;
  state: MinerState;
  /** The state the inventory holds, so an unchanged state costs no write. */
  recordedState: MinerState;
  /** Error code of the current failure streak, logged once per change. */
  failingCode?: string;
  /** A read that outlived its deadline and has not settled yet: the miner is not read again until it has. */
  hung?: Promise<unknown>;
  inFlight: boolean;
  removed: boolean;
  /** Not in the inventory: an address of the static list that has never answered. */
  placeholder: boolean;
}

type Finished =
  | { ok: true; minerId: string; port: number; timeMs: number; reading: Reading; driver: string }
  | { ok: false; minerId: string; timeMs: number; code: string; message: string };

const DEFAULTS = {
  intervalMs: 60_000,
  jitterPct: 10,
  concurrency: 64,
  deadlineMs: 15_000,
  backoffMaxMs: 600_000,
  offlineAfterFailures: 3,
  flushMs: 1000,
  refreshMs: 60_000,
  port: 4028,
};

/** Poll results held in memory while the store refuses writes (about a minute of 10,000 miners at 10 s). */
const MAX_PENDING = 60_000;

/** At most 100 first polls a second when miners join the schedule (see spreadFirstPolls). */
const FIRST_POLL_SPACING_MS = 10;

class DeadlineError extends Error {}

/**
 * Polls every known miner on its own schedule: each at its interval with jitter, at most `concurrency` at once,
 * each under a deadline that frees its slot however the miner behaves, so one hung miner never delays the others.
 * A miner that keeps failing is polled less often (exponential backoff, capped) and marked offline after
 * `offlineAfterFailures` failures; online/offline changes become events. Finished polls are buffered and written
 * to the outbox (and the inventory) in one transaction about once per `flushMs`. Each miner's identity rides in
 * its first sample of each epoch, and again when it changes.
 */
export class Poller {
  private readonly options: Required<Omit<PollerOptions, 'staticTargets'>> & { staticTargets: string[] };
  private readonly entries = new Map<string, Entry>();
  private readonly queue = new DueQueue<Entry>();
  private readonly lag = new LagWindow();
  private pending: Finished[] = [];
  private inFlight = 0;
  private readonly running = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private timerDueMs = Number.POSITIVE_INFINITY;
  private flushTimer: NodeJS.Timeout | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  private started = false;
  private polls = 0;
  private failures = 0;
  /** Identity last sent per miner in `identityEpoch`. */
  private readonly sentIdentity = new Map<string, string>();
  private identityEpoch = 0;

  constructor(
    private readonly store: AgentStore,
    private readonly inventory: Inventory,
    private readonly read: ReadMiner,
    options: PollerOptions,
    private readonly logger: Logger,
    private readonly hooks: PollerHooks = {},
  ) {
    this.options = { ...DEFAULTS, now: Date.now, random: Math.random, staticTargets: [], ...options };
  }

  /** Loads the miners and starts polling; the first polls are spread over one interval. */
  start(): void {
    if (this.started) return;
    this.started = true;
    const known = [...this.entries.values()];
    this.spreadFirstPolls(known);
    for (const entry of known) this.queue.push(entry);
    this.refresh();
    this.flushTimer = setInterval(() => this.flush(), this.options.flushMs);
    this.refreshTimer = setInterval(() => this.refresh(), this.options.refreshMs);
    this.pump();
  }

  /** Stops scheduling, waits for polls in flight (each ends by its deadline) and writes what they got. */
  async stop(): Promise<void> {
    this.started = false;
    clearTimeout(this.timer);
    clearInterval(this.flushTimer);
    clearInterval(this.refreshTimer);
    await Promise.all(this.running);
    this.flush();
  }

  /**
   * Reloads the miner list from the inventory (and the static addresses): new miners are scheduled within one
   * interval, moved ones are read at their new address. Called by the daemon after each scan.
   */
  refresh(): void {
    // Readings not yet written could rename or create miners: write them first so the list is current.
    this.flush();
    const listed = this.inventory.list();
    const seen = new Set<string>();
    const addresses = new Set<string>();
    const fresh: Entry[] = [];
    for (const miner of listed) {
      seen.add(miner.minerId);
      addresses.add(miner.ip);
      const entry = this.entries.get(miner.minerId);
      if (entry !== undefined) {
        Object.assign(entry, { ip: miner.ip, port: miner.port, driver: miner.driver, placeholder: false });
        continue;
      }
      fresh.push(this.newEntry(miner.minerId, miner.ip, miner.port, miner.driver, miner.state, false));
    }
    for (const ip of this.options.staticTargets) {
      const id = ipFallbackId(ip);
      seen.add(id);
      if (addresses.has(ip) || this.entries.has(id)) continue;
      fresh.push(this.newEntry(id, ip, this.options.port, undefined, 'unknown', true));
    }
    for (const [id, entry] of this.entries) {
      // A placeholder that answered under a firmer id is replaced by that id's entry.
      const gone = !seen.has(id) || (entry.placeholder && addresses.has(entry.ip));
      if (gone) {
        entry.removed = true;
        this.entries.delete(id);
      }
    }
    this.spreadFirstPolls(fresh);
    for (const entry of fresh) {
      this.entries.set(entry.minerId, entry);
      if (this.started) this.queue.push(entry);
    }
    this.pump();
  }

  /**
   * Polls every miner once now, whatever its schedule, and writes the results: for tests and one-off reads. While
   * started, these polls come on top of the scheduled ones.
   */
  async runCycle(): Promise<CycleResult> {
    const started = this.options.now();
    if (this.entries.size === 0) this.refresh();
    const entries = [...this.entries.values()];
    let failed = 0;
    await mapLimit(entries, this.options.concurrency, async (entry) => {
      const finished = await this.pollOne(entry);
      if (!finished.ok) failed += 1;
      this.settle(entry, finished);
    });
    const stored = this.flush();
    return { polled: entries.length, failed, durationMs: this.options.now() - started, stored };
  }

  /** Lag of recent polls (start less due time). `reset` starts a new window. */
  lagStats(reset = false): LagStats {
    const stats = this.lag.stats();
    if (reset) this.lag.clear();
    return stats;
  }

  stats(): PollerStats {
    let online = 0;
    let offline = 0;
    for (const entry of this.entries.values()) {
      if (entry.state === 'online') online += 1;
      else if (entry.state === 'offline') offline += 1;
    }
    return {
      miners: this.entries.size,
      online,
      offline,
      inFlight: this.inFlight,
      waiting: this.queue.countDue(this.options.now()),
      polls: this.polls,
      failures: this.failures,
      lag: this.lag.stats(),
    };
  }

  /**
   * Writes every finished poll since the last flush in one transaction: inventory (last seen, last sample, IP
   * changes, renames), state changes with their events, and the samples to the outbox. Undefined when nothing
   * finished since the last flush.
   */
  flush(): FlushResult | undefined {
    const batch = this.pending;
    if (batch.length === 0) return undefined;
    this.pending = [];
    const epoch = this.store.currentEpoch();
    if (epoch !== this.identityEpoch) {
      this.sentIdentity.clear();
      this.identityEpoch = epoch;
    }
    const changes: Array<[string, MinerState]> = [];
    const recorded: Array<[Entry, MinerState]> = [];
    let result: FlushResult;
    try {
      result = this.inventory.transaction(() => {
        const samples: Omit<hashinsight.v1.IMinerSample, 'seq'>[] = [];
        let failed = 0;
        for (const done of batch) {
          if (done.ok) {
            this.inventory.recordReading(done.reading, done.driver, done.port, done.timeMs);
            samples.push(this.sampleOf(done.reading, done.driver, done.timeMs));
          } else {
            failed += 1;
            const status = done.code === 'MINER_AUTH_FAILED' ? 'auth_failed' : 'unreachable';
            samples.push(failureToSample(done.minerId, done.timeMs, status, `${done.code}: ${done.message}`));
          }
          const entry = this.entries.get(done.minerId);
          if (entry !== undefined && !entry.placeholder && entry.state !== entry.recordedState) {
            const detail = done.ok ? undefined : { code: done.code, failures: entry.failures };
            if (this.inventory.setState(done.minerId, entry.state, done.timeMs, detail)) {
              changes.push([done.minerId, entry.state]);
            }
            recorded.push([entry, entry.state]);
          }
        }
        return { ...this.store.append(samples), samples: samples.length, failed };
      });
    } catch (error) {
      // Nothing was written: the batch waits for the next flush (identities marked sent were not, so all go again).
      this.pending = batch.concat(this.pending);
      this.sentIdentity.clear();
      if (this.pending.length > MAX_PENDING) {
        const dropped = this.pending.splice(0, this.pending.length - MAX_PENDING);
        this.logger.error(
          { dropped: dropped.length },
          'oldest poll results dropped: the store keeps failing',
        );
      }
      this.logger.error({ err: error, waiting: this.pending.length }, 'poll results not written; retrying');
      return undefined;
    }
    for (const [entry, state] of recorded) entry.recordedState = state;
    for (const { minerId, reason } of result.rejected) {
      this.logger.warn({ minerId, reason }, 'sample refused by the wire contract; not stored');
    }
    for (const [minerId, state] of changes) {
      this.logger.info({ minerId, state }, `miner ${state}`);
      this.hooks.onStateChange?.(minerId, state);
    }
    this.hooks.onFlush?.(result);
    return result;
  }

  /**
   * First polls of miners new to the schedule: spread evenly so a big fleet starts at its steady rate rather than
   * in one burst, but over no more than FIRST_POLL_SPACING_MS each, so a few miners are read at once.
   */
  private spreadFirstPolls(entries: Entry[]): void {
    const now = this.options.now();
    const span = Math.min(this.options.intervalMs, entries.length * FIRST_POLL_SPACING_MS);
    for (const [i, entry] of entries.entries()) entry.dueMs = now + Math.floor((i / entries.length) * span);
  }

  private newEntry(
    minerId: string,
    ip: string,
    port: number,
    driver: string | undefined,
    state: MinerState,
    placeholder: boolean,
  ): Entry {
    const entry: Entry = {
      minerId,
      ip,
      port,
      dueMs: 0,
      failures: 0,
      state,
      recordedState: state,
      inFlight: false,
      removed: false,
      placeholder,
    };
    if (driver !== undefined) entry.driver = driver;
    return entry;
  }

  /** Starts every due poll a free slot allows, then sleeps until the next due time (or a slot frees). */
  private pump(): void {
    if (!this.started) return;
    const now = this.options.now();
    for (;;) {
      const next = this.queue.peek();
      if (next === undefined || this.inFlight >= this.options.concurrency || next.dueMs > now) break;
      this.queue.pop();
      if (next.removed) continue;
      this.lag.add(now - next.dueMs);
      this.launch(next);
    }
    const next = this.queue.peek();
    if (next === undefined || this.inFlight >= this.options.concurrency) return;
    if (next.dueMs === this.timerDueMs) return;
    clearTimeout(this.timer);
    this.timerDueMs = next.dueMs;
    this.timer = setTimeout(
      () => {
        this.timerDueMs = Number.POSITIVE_INFINITY;
        this.pump();
      },
      Math.max(0, next.dueMs - now),
    );
  }

  private launch(entry: Entry): void {
    this.inFlight += 1;
    const run = this.pollOne(entry).then((finished) => {
      this.inFlight -= 1;
      this.running.delete(run);
      this.settle(entry, finished);
      if (!entry.removed && this.started) {
        entry.dueMs = this.nextDue(entry);
        this.queue.push(entry);
      }
      this.pump();
    });
    this.running.add(run);
  }

  /** One read under the deadline; never rejects. */
  private async pollOne(entry: Entry): Promise<Finished> {
    const started = this.options.now();
    this.polls += 1;
    if (entry.hung !== undefined) {
      return this.failure(entry, 'MINER_TIMEOUT', 'its previous read is still hanging', started);
    }
    entry.inFlight = true;
    const read = this.read({ ...entry });
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DeadlineError()), this.options.deadlineMs);
    });
    try {
      const { reading, driver } = await Promise.race([read, deadline]);
      return this.success(entry, reading, driver);
    } catch (error) {
      if (error instanceof DeadlineError) {
        // The read goes on until its transport gives up; until then this miner is not read again.
        const hung = read.then(
          () => {},
          () => {},
        );
        entry.hung = hung;
        void hung.then(() => {
          if (entry.hung === hung) entry.hung = undefined;
        });
        return this.failure(
          entry,
          'MINER_TIMEOUT',
          `no reading within ${this.options.deadlineMs} ms`,
          started,
        );
      }
      const code = error instanceof MinerError ? error.code : 'MINER_UNEXPECTED';
      const message = error instanceof Error ? error.message : String(error);
      return this.failure(entry, code, message, this.options.now());
    } finally {
      clearTimeout(timer);
      entry.inFlight = false;
    }
  }

  private success(entry: Entry, reading: Reading, driver: string): Finished {
    const timeMs = this.options.now();
    const id = minerIdFor(reading);
    if (id !== entry.minerId && !this.adopt(entry, id, reading)) {
      // Another miner now answers at this address (a DHCP swap): this one is not here. The newcomer's reading
      // is kept when nobody polls it yet; the next refresh schedules it.
      if (!this.entries.has(id))
        this.pending.push({ ok: true, minerId: id, port: entry.port, timeMs, reading, driver });
      return this.failure(entry, 'MINER_REPLACED', `${id} answers at ${entry.ip} now`, timeMs);
    }
    if (entry.failingCode !== undefined) {
      this.logger.info({ ip: entry.ip, minerId: entry.minerId }, 'miner answers again');
      entry.failingCode = undefined;
    }
    entry.failures = 0;
    entry.state = 'online';
    entry.placeholder = false;
    return { ok: true, minerId: entry.minerId, port: entry.port, timeMs, reading, driver };
  }

  /**
   * Takes the firmer id a reading gives a miner known by a placeholder (ip-…) or by its serial before its MAC
   * was known, as the inventory does when it writes the reading. False when `id` is another miner.
   */
  private adopt(entry: Entry, id: string, reading: Reading): boolean {
    const sameMachine =
      entry.minerId === ipFallbackId(entry.ip) ||
      (reading.serial !== undefined &&
        minerIdFor({ ip: entry.ip, serial: reading.serial }) === entry.minerId);
    if (!sameMachine) return false;
    this.entries.delete(entry.minerId);
    const existing = this.entries.get(id);
    if (existing !== undefined) {
      // Both were scheduled: the one already under the firm id stays.
      entry.removed = true;
      return true;
    }
    entry.minerId = id;
    this.entries.set(id, entry);
    return true;
  }

  private failure(entry: Entry, code: string, message: string, timeMs: number): Finished {
    entry.failures += 1;
    this.failures += 1;
    if (entry.failures >= this.options.offlineAfterFailures) entry.state = 'offline';
    if (entry.failingCode !== code) {
      entry.failingCode = code;
      this.logger.warn({ ip: entry.ip, minerId: entry.minerId, code, reason: message }, 'miner poll failed');
    }
    return { ok: false, minerId: entry.minerId, timeMs, code, message };
  }

  private settle(entry: Entry, finished: Finished): void {
    if (!entry.removed || finished.ok) this.pending.push(finished);
  }

  /** The next poll: one interval after the last due time (keeps cadence), longer while failing, with jitter. */
  private nextDue(entry: Entry): number {
    const { intervalMs, backoffMaxMs, offlineAfterFailures, jitterPct } = this.options;
    const beyond = entry.failures - offlineAfterFailures + 1;
    const base =
      beyond > 0 ? Math.min(Math.max(backoffMaxMs, intervalMs), intervalMs * 2 ** beyond) : intervalMs;
    const jitter = 1 + ((this.options.random() * 2 - 1) * jitterPct) / 100;
    const next = entry.dueMs + Math.round(base * jitter);
    // After a stall (the process slept, or polls took longer than the interval) do not try to catch up.
    const now = this.options.now();
    return next < now - intervalMs ? now : next;
  }

  private sampleOf(reading: Reading, driver: string, timeMs: number) {
    const identity = identityOf(reading, driver);
    const key = JSON.stringify(identity);
    const minerId = identity.minerId as string;
    const changed = this.sentIdentity.get(minerId) !== key;
    if (changed) this.sentIdentity.set(minerId, key);
    return readingToSample(reading, timeMs, changed ? identity : undefined);
  }
}
