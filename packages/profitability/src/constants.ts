/** Seconds in a day: expected-value formulas are per day. */
export const SECONDS_PER_DAY = 86_400;
/**
 * Hashes per unit of difficulty. The exact figure is 2^256 / (0xffff · 2^208) = 2^32 · 65536/65535 (1.5e-5 more);
 * calculators, pools and Luxor's hashprice all use 2^32, and so do we.
 */
export const HASHES_PER_DIFFICULTY = 2 ** 32;
/** Target block interval, seconds. */
export const BLOCK_INTERVAL_S = 600;
/** Blocks in a day at the target interval. */
export const BLOCKS_PER_DAY = SECONDS_PER_DAY / BLOCK_INTERVAL_S;
/** Blocks between difficulty retargets. */
export const EPOCH_BLOCKS = 2016;
/** Blocks between subsidy halvings. */
export const HALVING_INTERVAL = 210_000;
/** Subsidy of the first era, satoshis (50 BTC). */
export const INITIAL_SUBSIDY_SATS = 5_000_000_000;
export const SATS_PER_BTC = 100_000_000;
/** The static view's month (Braiins and most calculators use 30-day months). */
export const DAYS_PER_MONTH = 30;
/** Days per year for discounting. */
export const DAYS_PER_YEAR = 365;
export const H_PER_TH = 1e12;
