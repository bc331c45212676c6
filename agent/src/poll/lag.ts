export interface LagStats {
  /** Polls measured (the most recent, up to the window). */
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * Lag of each poll, start time less due time, over the last `window` polls: how far behind schedule the poller
 * runs (the bench's capacity figure and the health endpoint's).
 */
export class LagWindow {
  private readonly values: Float64Array;
  private next = 0;
  private filled = 0;

  constructor(window = 16_384) {
    this.values = new Float64Array(window);
  }

  add(lagMs: number): void {
    this.values[this.next] = lagMs;
    this.next = (this.next + 1) % this.values.length;
    this.filled = Math.min(this.filled + 1, this.values.length);
  }

  clear(): void {
    this.next = 0;
    this.filled = 0;
  }

  stats(): LagStats {
    if (this.filled === 0) return { count: 0, p50Ms: 0, p99Ms: 0, maxMs: 0 };
    const sorted = this.values.slice(0, this.filled).sort();
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
    return {
      count: this.filled,
      p50Ms: at(0.5),
      p99Ms: at(0.99),
      maxMs: sorted[sorted.length - 1] as number,
    };
  }
}
