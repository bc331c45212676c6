/**
 * The upload bandwidth cap: a token bucket of `bytesPerSecond`, holding at most one second's worth (or one
 * message, if larger), so a long idle spell never turns into a burst the uplink cannot take.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly bytesPerSecond: number,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) =>
      new Promise((resolve) => setTimeout(resolve, ms)),
  ) {
    if (!(bytesPerSecond > 0)) throw new RangeError('bytesPerSecond must be > 0');
    this.tokens = bytesPerSecond;
    this.last = now();
  }

  /** Resolves once `bytes` may be sent, and takes them. */
  async take(bytes: number): Promise<void> {
    for (;;) {
      const now = this.now();
      const cap = Math.max(this.bytesPerSecond, bytes);
      this.tokens = Math.min(cap, this.tokens + ((now - this.last) / 1000) * this.bytesPerSecond);
      this.last = now;
      if (this.tokens >= bytes) {
        this.tokens -= bytes;
        return;
      }
      await this.sleep(Math.ceil(((bytes - this.tokens) / this.bytesPerSecond) * 1000));
    }
  }
}
