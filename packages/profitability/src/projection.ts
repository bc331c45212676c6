import {
  averageHashrateHs,
  CALCULATION_KEYS,
  type CalculationInput,
  keptFraction,
  prepare,
  type ResolvedInputs,
  resolveInputs,
} from './calculate.js';
import {
  BLOCKS_PER_DAY,
  DAYS_PER_MONTH,
  DAYS_PER_YEAR,
  EPOCH_BLOCKS,
  HALVING_INTERVAL,
  SATS_PER_BTC,
} from './constants.js';
import { ProfitError } from './errors.js';
import { checkDifficulty, expectedBtcPerDay, MIN_DIFFICULTY } from './network.js';
import { creditedRewardBtc } from './payout.js';
import { subsidySatsAt } from './subsidy.js';
import { checkNumber, checkObject, optionalNumber } from './validate.js';

/** Longest projection, days (ten years; Braiins' calculator stops at 60 months). */
export const MAX_PROJECTION_DAYS = 3650;
/** Bitcoin clamps one retarget to ×4 up and ×1/4 down, so an epoch's change lies in [−75 %, +300 %]. */
export const EPOCH_GROWTH_PERCENT = { min: -75, max: 300 } as const;

export interface ProjectionInput extends Omit<CalculationInput, 'blockSubsidyBtc' | 'blockHeight'> {
  /** Height of the next block to be mined: the start of day 1. Subsidies and epochs follow from it. */
  blockHeight: number;
  /** Days to project, integer 1..3650. */
  days: number;
  /** Difficulty change at every retarget, percent per 2016-block epoch, in [−75, 300]. Default 0. */
  difficultyGrowthPercentPerEpoch?: number;
  /** Difficulty from the next retarget on (e.g. mempool's estimate); later epochs grow from it. Default: grown. */
  nextDifficulty?: number;
  /** BTC price change, percent per 30 days, compounded daily: P_d = P_0 · (1 + m)^(d/30). Default 0. */
  btcUsdChangePercentPerMonth?: number;
  /** Switch the machines off on days when revenue does not cover electricity. Default false. */
  switchOffWhenUnprofitable?: boolean;
  /** Annual discount rate for NPV, percent, 0..1000. Default 0. */
  discountRatePercentPerYear?: number;
}

export interface ProjectionDay {
  /** 1-based day number. */
  day: number;
  /** Height of the day's first block: blockHeight + 144 · (day − 1). */
  startHeight: number;
  /** Difficulty at the day's first block. */
  difficulty: number;
  /** Subsidy at the day's first block, BTC. */
  blockSubsidyBtc: number;
  btcUsd: number;
  /** Whether the machines ran (always true unless switchOffWhenUnprofitable). */
  running: boolean;
  /** BTC credited to the owner that day (0 when off). */
  btcMined: number;
  revenueUsd: number;
  electricityCostUsd: number;
  /** The fixed hosting fee is owed whether the machines run or not. */
  hostingCostUsd: number;
  profitUsd: number;
  cumulativeProfitUsd: number;
  /** profitUsd / (1 + r)^(day / 365). */
  discountedProfitUsd: number;
}

export interface Projection {
  inputs: ResolvedInputs & {
    days: number;
    difficultyGrowthPercentPerEpoch: number;
    nextDifficulty: number | null;
    btcUsdChangePercentPerMonth: number;
    switchOffWhenUnprofitable: boolean;
    discountRatePercentPerYear: number;
  };
  days: ProjectionDay[];
  totals: {
    btcMined: number;
    revenueUsd: number;
    electricityCostUsd: number;
    hostingCostUsd: number;
    profitUsd: number;
    daysRunning: number;
  };
  /** The day (1-based) and height of each halving crossed. */
  halvings: { day: number; height: number }[];
  totalHardwareCostUsd: number;
  /** Σ discountedProfitUsd − hardware cost (paid at day 0). */
  npvUsd: number;
  /** First day whose cumulative profit covers the hardware cost; 0 with nothing to pay back; null if not in range. */
  paybackDay: number | null;
}

/** A monthly difficulty growth as a per-epoch one: (1 + m)^(14 / (365/12)) − 1, in percent (5 %/month → 2.27 %). */
export function epochGrowthPercentFromMonthly(monthlyPercent: number): number {
  checkNumber(monthlyPercent, 'difficultyGrowthPercentPerMonth', {
    min: -100,
    max: 1000,
    minExclusive: true,
  });
  return ((1 + monthlyPercent / 100) ** (EPOCH_BLOCKS / BLOCKS_PER_DAY / (DAYS_PER_YEAR / 12)) - 1) * 100;
}

type ProjectionInputs = Projection['inputs'];

const PROJECTION_ONLY_KEYS: readonly (keyof ProjectionInput)[] = [
  'days',
  'difficultyGrowthPercentPerEpoch',
  'nextDifficulty',
  'btcUsdChangePercentPerMonth',
  'switchOffWhenUnprofitable',
  'discountRatePercentPerYear',
];
/** The calculation's keys less the subsidy override, plus the projection's own. */
const PROJECTION_KEYS: ReadonlySet<string> = new Set<string>([
  ...CALCULATION_KEYS.filter((key) => key !== 'blockSubsidyBtc'),
  ...PROJECTION_ONLY_KEYS,
]);

/** Validate a projection's inputs and fill defaults; throws PROFIT_BAD_INPUT naming the field. */
export function resolveProjectionInputs(input: unknown): ProjectionInputs {
  const raw = checkObject(input, 'input');
  if (raw.blockSubsidyBtc !== undefined) {
    throw new ProfitError(
      'PROFIT_BAD_INPUT',
      'blockSubsidyBtc',
      'blockSubsidyBtc: a projection takes blockHeight and follows the subsidy schedule from it',
    );
  }
  if (raw.blockHeight === undefined) {
    throw new ProfitError('PROFIT_BAD_INPUT', 'blockHeight', 'blockHeight: required for a projection');
  }
  if (raw.switchOffWhenUnprofitable !== undefined && typeof raw.switchOffWhenUnprofitable !== 'boolean') {
    throw new ProfitError(
      'PROFIT_BAD_INPUT',
      'switchOffWhenUnprofitable',
      'switchOffWhenUnprofitable: must be a boolean',
    );
  }
  return {
    ...resolveInputs(raw, PROJECTION_KEYS),
    days: checkNumber(raw.days, 'days', { min: 1, max: MAX_PROJECTION_DAYS, integer: true }),
    difficultyGrowthPercentPerEpoch: optionalNumber(
      raw.difficultyGrowthPercentPerEpoch,
      'difficultyGrowthPercentPerEpoch',
      EPOCH_GROWTH_PERCENT,
      0,
    ),
    nextDifficulty:
      raw.nextDifficulty === undefined ? null : checkDifficulty(raw.nextDifficulty, 'nextDifficulty'),
    btcUsdChangePercentPerMonth: optionalNumber(
      raw.btcUsdChangePercentPerMonth,
      'btcUsdChangePercentPerMonth',
      { min: -100, max: 1000, minExclusive: true },
      0,
    ),
    switchOffWhenUnprofitable: raw.switchOffWhenUnprofitable === true,
    discountRatePercentPerYear: optionalNumber(
      raw.discountRatePercentPerYear,
      'discountRatePercentPerYear',
      { min: 0, max: 1000 },
      0,
    ),
  };
}

/**
 * Difficulty at a height: D₀ in the start height's epoch, then nextDifficulty · (1 + g)^(k − 1) in the k-th epoch
 * after it, nextDifficulty defaulting to D₀ · (1 + g). Never below 1, Bitcoin's minimum.
 */
function difficultySchedule(inputs: ProjectionInputs): (height: number) => number {
  const g = 1 + inputs.difficultyGrowthPercentPerEpoch / 100;
  const firstRetarget = inputs.nextDifficulty ?? inputs.difficulty * g;
  const startEpoch = Math.floor(inputs.blockHeight! / EPOCH_BLOCKS);
  return (height) => {
    const k = Math.floor(height / EPOCH_BLOCKS) - startEpoch;
    return Math.max(k === 0 ? inputs.difficulty : firstRetarget * g ** (k - 1), MIN_DIFFICULTY);
  };
}

/**
 * Expected BTC the scheme credits (before pool fee and revenue share) for the 144 blocks from `from`, split where a
 * retarget or a halving falls so each part earns at its own difficulty and subsidy. Also the halving crossed, if any.
 */
function dayReward(
  inputs: ProjectionInputs,
  hashrateHs: number,
  difficultyAt: (height: number) => number,
  from: number,
): { btc: number; halvingHeight: number | null } {
  const to = from + BLOCKS_PER_DAY;
  let btc = 0;
  let halvingHeight: number | null = null;
  for (let h = from; h < to; ) {
    const nextEpoch = (Math.floor(h / EPOCH_BLOCKS) + 1) * EPOCH_BLOCKS;
    const nextHalving = (Math.floor(h / HALVING_INTERVAL) + 1) * HALVING_INTERVAL;
    const end = Math.min(to, nextEpoch, nextHalving);
    const credited = creditedRewardBtc(
      inputs.payoutScheme,
      subsidySatsAt(h) / SATS_PER_BTC,
      inputs.avgFeesPerBlockBtc,
    );
    btc += expectedBtcPerDay(hashrateHs, difficultyAt(h), credited) * ((end - h) / BLOCKS_PER_DAY);
    if (end === nextHalving && end < to) halvingHeight = end;
    h = end;
  }
  return { btc, halvingHeight };
}

/**
 * Day-by-day projection (formulas in README.md): difficulty per epoch, halvings on their block, BTC price drift,
 * optional switch-off on days revenue does not cover electricity (the fixed hosting fee is owed regardless), NPV and
 * payback. Fees per block, hashrate, power and the electricity price stay constant.
 */
export function project(input: ProjectionInput): Projection {
  const inputs = resolveProjectionInputs(input);
  const fixed = prepare(inputs);
  const difficultyAt = difficultySchedule(inputs);
  const hashrateHs = averageHashrateHs(inputs);
  const kept = keptFraction(inputs);
  const electricityWhenRunning = fixed.energyKwhPerDay * inputs.electricityUsdPerKwh;
  const hostingCostUsd = fixed.dailyHostingCostUsd;
  const priceGrowth = 1 + inputs.btcUsdChangePercentPerMonth / 100;
  const discount = 1 + inputs.discountRatePercentPerYear / 100;

  const days: ProjectionDay[] = [];
  const halvings: { day: number; height: number }[] = [];
  const totals = {
    btcMined: 0,
    revenueUsd: 0,
    electricityCostUsd: 0,
    hostingCostUsd: 0,
    profitUsd: 0,
    daysRunning: 0,
  };
  let cumulative = 0;
  let presentValue = 0;
  let paybackDay: number | null = fixed.totalHardwareCostUsd === 0 ? 0 : null;

  for (let i = 0; i < inputs.days; i++) {
    const day = i + 1;
    const startHeight = inputs.blockHeight! + i * BLOCKS_PER_DAY;
    const reward = dayReward(inputs, hashrateHs, difficultyAt, startHeight);
    if (reward.halvingHeight !== null) halvings.push({ day, height: reward.halvingHeight });
    const btc = reward.btc * kept;
    const btcUsd = inputs.btcUsd * priceGrowth ** (i / DAYS_PER_MONTH);
    const running = !inputs.switchOffWhenUnprofitable || btc * btcUsd > electricityWhenRunning;
    const btcMined = running ? btc : 0;
    const revenueUsd = btcMined * btcUsd;
    const electricityCostUsd = running ? electricityWhenRunning : 0;
    // Same operation order as calculate(), so a constant world repeats it bit for bit.
    const profitUsd = revenueUsd - (electricityCostUsd + hostingCostUsd);
    const discountedProfitUsd = profitUsd / discount ** (day / DAYS_PER_YEAR);
    cumulative += profitUsd;
    presentValue += discountedProfitUsd;
    if (paybackDay === null && cumulative >= fixed.totalHardwareCostUsd) paybackDay = day;

    totals.btcMined += btcMined;
    totals.revenueUsd += revenueUsd;
    totals.electricityCostUsd += electricityCostUsd;
    totals.hostingCostUsd += hostingCostUsd;
    totals.profitUsd += profitUsd;
    if (running) totals.daysRunning++;
    days.push({
      day,
      startHeight,
      difficulty: difficultyAt(startHeight),
      blockSubsidyBtc: subsidySatsAt(startHeight) / SATS_PER_BTC,
      btcUsd,
      running,
      btcMined,
      revenueUsd,
      electricityCostUsd,
      hostingCostUsd,
      profitUsd,
      cumulativeProfitUsd: cumulative,
      discountedProfitUsd,
    });
  }

  return {
    inputs,
    days,
    totals,
    halvings,
    totalHardwareCostUsd: fixed.totalHardwareCostUsd,
    npvUsd: presentValue - fixed.totalHardwareCostUsd,
    paybackDay,
  };
}
