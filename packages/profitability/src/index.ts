// Pure mining maths, no I/O: every formula and unit is documented in README.md.

export { type HeatmapTiming, timeHeatmap } from './bench.js';
export {
  type CalculationInput,
  type CalculationResult,
  calculate,
  DEFAULT_POOL_FEE_PERCENT,
  LIMITS,
  paybackDays,
  type ResolvedInputs,
  resolveInputs,
} from './calculate.js';
export {
  BLOCK_INTERVAL_S,
  BLOCKS_PER_DAY,
  DAYS_PER_MONTH,
  DAYS_PER_YEAR,
  EPOCH_BLOCKS,
  HALVING_INTERVAL,
  HASHES_PER_DIFFICULTY,
  INITIAL_SUBSIDY_SATS,
  SATS_PER_BTC,
  SECONDS_PER_DAY,
} from './constants.js';
export { ProfitError, type ProfitErrorCode } from './errors.js';
export { calculateBatch, type Heatmap, heatmap, MAX_BATCH, MAX_HEATMAP_AXIS } from './grid.js';
export {
  expectedBtcPerDay,
  type Hashprice,
  hashprice,
  MAX_DIFFICULTY,
  MIN_DIFFICULTY,
  networkHashrateHs,
} from './network.js';
export { PAYOUT_SCHEMES, type PayoutScheme } from './payout.js';
export {
  EPOCH_GROWTH_PERCENT,
  epochGrowthPercentFromMonthly,
  MAX_PROJECTION_DAYS,
  type Projection,
  type ProjectionDay,
  type ProjectionInput,
  project,
  resolveProjectionInputs,
} from './projection.js';
export { blockSubsidyBtc, blockSubsidySats, MAX_BLOCK_HEIGHT, nextHalvingHeight } from './subsidy.js';
