import type { Counters } from './telemetry.js';

/** A pool as an operator configures it. The password is the pool's (usually "x"). */
export interface PoolSetting {
  url: string;
  user: string;
  password: string;
}

/** One configured pool as the miner reports it: its settings, whether it gets work, and the shares it got. */
export interface PoolRow extends PoolSetting, Counters {
  /** Position in the miner's list, which is also its priority (0 first). */
  index: number;
  enabled: boolean;
  /** The pool receiving work now. */
  active: boolean;
}

const ZERO: Counters = { accepted: 0, rejected: 0, stale: 0 };

/**
 * The miner's pool list. Shares go to the active pool: each pool keeps what it was credited while active, so a
 * switch shows the old pool's count frozen and the new one counting up from zero. The counts always add up to the
 * miner's own counters. A slot with an empty URL (stock Antminers always have three) is not a pool.
 */
export class PoolTable {
  #pools: Array<PoolSetting & { enabled: boolean; credited: Counters }>;
  #active = 0;
  /** The miner's counters when the active pool became active. */
  #since: Counters = ZERO;

  constructor(pools: PoolSetting[]) {
    this.#pools = pools.map((pool) => ({ ...pool, enabled: true, credited: ZERO }));
    this.#active = this.#firstUsable(0) ?? 0;
  }

  get size(): number {
    return this.#pools.length;
  }

  /** Every pool with a URL, in priority order, with its shares as of `now`. */
  rows(now: Counters): PoolRow[] {
    return this.#pools.flatMap((pool, index) => {
      if (pool.url === '') return [];
      const active = index === this.#active;
      const credited = active ? add(pool.credited, subtract(now, this.#since)) : pool.credited;
      const { credited: _, ...setting } = pool;
      return [{ ...setting, ...credited, index, active }];
    });
  }

  /** Replaces the whole list (a new config); the first usable pool gets the work, every count starts over. */
  configure(pools: PoolSetting[], now: Counters): void {
    this.#pools = pools.map((pool) => ({ ...pool, enabled: true, credited: ZERO }));
    this.#active = this.#firstUsable(0) ?? 0;
    this.#since = now;
  }

  /** Moves the work to pool `index`; false when there is no such usable pool. */
  switchTo(index: number, now: Counters): boolean {
    const pool = this.#pools[index];
    if (pool === undefined || pool.url === '') return false;
    pool.enabled = true;
    this.#moveWork(index, now);
    return true;
  }

  add(pool: PoolSetting): number {
    return this.#pools.push({ ...pool, enabled: true, credited: ZERO }) - 1;
  }

  /** Removes pool `index`; the active pool cannot be removed (cgminer refuses it too). */
  remove(index: number): boolean {
    if (index === this.#active || this.#pools[index] === undefined) return false;
    this.#pools.splice(index, 1);
    if (index < this.#active) this.#active -= 1;
    return true;
  }

  /** Enables or disables pool `index`; disabling the active one hands the work to the next usable pool. */
  enable(index: number, enabled: boolean, now: Counters): boolean {
    const pool = this.#pools[index];
    if (pool === undefined || pool.url === '') return false;
    pool.enabled = enabled;
    if (!enabled && index === this.#active) {
      const next = this.#firstUsable(index + 1) ?? this.#firstUsable(0);
      if (next !== undefined) this.#moveWork(next, now);
    }
    return true;
  }

  /** The miner program restarted: every count is zero again. */
  resetCounts(): void {
    for (const pool of this.#pools) pool.credited = ZERO;
    this.#since = ZERO;
  }

  #moveWork(index: number, now: Counters): void {
    const current = this.#pools[this.#active];
    if (current !== undefined) current.credited = add(current.credited, subtract(now, this.#since));
    this.#active = index;
    this.#since = now;
  }

  #firstUsable(from: number): number | undefined {
    const found = this.#pools.findIndex((pool, index) => index >= from && pool.enabled && pool.url !== '');
    return found === -1 ? undefined : found;
  }
}

function add(a: Counters, b: Counters): Counters {
  return { accepted: a.accepted + b.accepted, rejected: a.rejected + b.rejected, stale: a.stale + b.stale };
}

function subtract(a: Counters, b: Counters): Counters {
  return { accepted: a.accepted - b.accepted, rejected: a.rejected - b.rejected, stale: a.stale - b.stale };
}
