import type { MinerModel } from '@hashinsight/miners';
import { seededRandom } from './random.js';

/** What a miner reports at one moment: the values of a bmminer `summary`, in its units. */
export interface Sample {
  /** Unix seconds, the STATUS `When`. */
  when: number;
  elapsed: number;
  ghs5s: number;
  ghsAv: number;
  accepted: number;
  rejected: number;
  stale: number;
}

/** Share difficulty the pool hands out; with the hashrate it sets how fast shares are found. */
export const SHARE_DIFFICULTY = 524_288;

/**
 * A running miner's numbers: GHS 5s wanders within ±2% of the model's nominal hashrate on every sample, GHS av
 * sits within ±0.5% of it, and the share counters grow with uptime as a real miner's would at that hashrate.
 * Everything follows from the seed and the clock, so tests can replay it.
 */
export class Telemetry {
  readonly #random: () => number;
  readonly #nominalGhs: number;
  readonly #averageGhs: number;
  readonly #startedAt: number;

  constructor(
    model: MinerModel,
    seed: number,
    private readonly now: () => number,
  ) {
    this.#random = seededRandom(seed);
    this.#nominalGhs = model.hashrateTh * 1000;
    this.#averageGhs = round2(this.#nominalGhs * (1 + (this.#random() - 0.5) * 0.01));
    this.#startedAt = now();
  }

  get nominalGhs(): number {
    return this.#nominalGhs;
  }

  sample(): Sample {
    const now = this.now();
    const elapsed = Math.floor((now - this.#startedAt) / 1000);
    const sharesPerSecond = (this.#averageGhs * 1e9) / (SHARE_DIFFICULTY * 2 ** 32);
    const accepted = Math.floor(elapsed * sharesPerSecond);
    return {
      when: Math.floor(now / 1000),
      elapsed,
      ghs5s: round2(this.#nominalGhs * (1 + (this.#random() - 0.5) * 0.04)),
      ghsAv: this.#averageGhs,
      accepted,
      rejected: Math.floor(accepted / 400),
      stale: Math.floor(accepted / 4000),
    };
  }
}

/** bmminer prints hashrates with two decimals. */
function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
