import { BLOCK_INTERVAL_S, H_PER_TH, HASHES_PER_DIFFICULTY, SECONDS_PER_DAY } from './constants.js';
import { checkNumber } from './validate.js';

/** Largest difficulty accepted (today's is ~1.5e14); keeps every product finite. */
export const MAX_DIFFICULTY = 1e30;
/** Bitcoin never lets difficulty fall below 1 (the genesis target); smaller values are unit mistakes. */
export const MIN_DIFFICULTY = 1;

export function checkDifficulty(value: unknown, field = 'difficulty'): number {
  return checkNumber(value, field, { min: MIN_DIFFICULTY, max: MAX_DIFFICULTY });
}

/**
 * Expected BTC per day for a hashrate: `H · 86400 · R / (D · 2^32)`.
 * H in H/s, R the reward per block in BTC (subsidy + average fees, or what the payout scheme credits), D the
 * difficulty. A block needs D · 2^32 hashes on average, so H · 86400 / (D · 2^32) is the expected number of blocks
 * a day; times R it is BTC. Unvalidated: callers check their inputs.
 */
export function expectedBtcPerDay(hashrateHs: number, difficulty: number, rewardPerBlockBtc: number): number {
  return (hashrateHs * SECONDS_PER_DAY * rewardPerBlockBtc) / (difficulty * HASHES_PER_DIFFICULTY);
}

/** Network hashrate implied by a difficulty at the 600 s target: `D · 2^32 / 600`, in H/s. */
export function networkHashrateHs(difficulty: number): number {
  checkDifficulty(difficulty);
  return (difficulty * HASHES_PER_DIFFICULTY) / BLOCK_INTERVAL_S;
}

export interface Hashprice {
  /** Expected BTC per TH/s per day: `1e12 · 86400 · (S + F) / (D · 2^32)` (Braiins' `hash_value`). */
  btcPerThDay: number;
  /** The same per PH/s (× 1000). */
  btcPerPhDay: number;
  /** Expected USD per TH/s per day: `btcPerThDay · P` (Luxor's hashprice, Braiins' `hash_price`). */
  usdPerThDay: number;
  /** The same per PH/s (× 1000), the unit Hashrate Index quotes. */
  usdPerPhDay: number;
}

/**
 * Hashprice: what one unit of hashrate is expected to earn in a day at network level, before pool fees, with
 * subsidy and fees in the reward (Luxor's definition). `rewardPerBlockBtc` = subsidy + average fees per block.
 */
export function hashprice(difficulty: number, rewardPerBlockBtc: number, btcUsd: number): Hashprice {
  checkDifficulty(difficulty);
  // Subsidy (≤ 50) plus fees (≤ the 21 M supply).
  checkNumber(rewardPerBlockBtc, 'rewardPerBlockBtc', { min: 0, max: 50 + 21e6 });
  checkNumber(btcUsd, 'btcUsd', { min: 0, max: 1e12 });
  const btcPerThDay = expectedBtcPerDay(H_PER_TH, difficulty, rewardPerBlockBtc);
  return {
    btcPerThDay,
    btcPerPhDay: btcPerThDay * 1000,
    usdPerThDay: btcPerThDay * btcUsd,
    usdPerPhDay: btcPerThDay * btcUsd * 1000,
  };
}
