import { type CalculationInput, keptFraction, type ResolvedInputs, resolveInputs } from './calculate.js';
import {
  BLOCKS_PER_DAY,
  DAYS_PER_MONTH,
  DAYS_PER_YEAR,
  EPOCH_BLOCKS,
  H_PER_TH,
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

/**
 * Day-by-day projection. Each day is 144 blocks from the previous day's end; a day that crosses a retarget or a
 * halving is split there and each part earns at its own difficulty and subsidy, so the crossing lands on the block,
 * not the day. Difficulty of epoch k after the current one (k ≥ 1): nextDifficulty · (1 + g)^(k − 1), where
 * nextDifficulty defaults to D₀ · (1 + g); never below 1. Fees per block and the machine figures stay constant.
 */
export function project(input: ProjectionInput): Projection {
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
  const base = resolveInputs(raw);
  const startHeight = base.blockHeight!;
  const days = checkNumber(raw.days, 'days', { min: 1, max: MAX_PROJECTION_DAYS, integer: true });
  const growth = optionalNumber(
    raw.difficultyGrowthPercentPerEpoch,
    'difficultyGrowthPercentPerEpoch',
    EPOCH_GROWTH_PERCENT,
    0,
  );
  const nextDifficulty =
    raw.nextDifficulty === undefined ? null : checkDifficulty(raw.nextDifficulty, 'nextDifficulty');
  const priceChange = optionalNumber(
    raw.btcUsdChangePercentPerMonth,
    'btcUsdChangePercentPerMonth',
    { min: -100, max: 1000, minExclusive: true },
    0,
  );
  if (raw.switchOffWhenUnprofitable !== undefined && typeof raw.switchOffWhenUnprofitable !== 'boolean') {
    throw new ProfitError(
      'PROFIT_BAD_INPUT',
      'switchOffWhenUnprofitable',
      'switchOffWhenUnprofitable: must be a boolean',
    );
  }
  const switchOff = raw.switchOffWhenUnprofitable === true;
  const discount = optionalNumber(
    raw.discountRatePercentPerYear,
    'discountRatePercentPerYear',
    { min: 0, max: 1000 },
    0,
  );

  const g = 1 + growth / 100;
  const firstRetargetDifficulty = nextDifficulty ?? base.difficulty * g;
  const startEpoch = Math.floor(startHeight / EPOCH_BLOCKS);
  const difficultyAt = (height: number): number => {
    const k = Math.floor(height / EPOCH_BLOCKS) - startEpoch;
    const d = k === 0 ? base.difficulty : firstRetargetDifficulty * g ** (k - 1);
    return Math.max(d, MIN_DIFFICULTY);
  };

  const hashrateHs = base.hashrateTh * H_PER_TH * base.quantity;
  const kept = keptFraction(base);
  const energyKwhPerDay = (base.powerW * base.quantity * 24) / 1000;
  const hostingCostUsd = (base.hostingUsdPerUnitMonth * base.quantity) / DAYS_PER_MONTH;
  const totalHardwareCostUsd = base.hardwareCostUsd * base.quantity;

  const out: ProjectionDay[] = [];
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
  let paybackDay: number | null = totalHardwareCostUsd === 0 ? 0 : null;

  for (let d = 0; d < days; d++) {
    const dayStart = startHeight + d * BLOCKS_PER_DAY;
    const dayEnd = dayStart + BLOCKS_PER_DAY;
    // Expected BTC over the day's blocks, split at retargets and halvings.
    let btc = 0;
    for (let h = dayStart; h < dayEnd; ) {
      const nextEpoch = (Math.floor(h / EPOCH_BLOCKS) + 1) * EPOCH_BLOCKS;
      const nextHalving = (Math.floor(h / HALVING_INTERVAL) + 1) * HALVING_INTERVAL;
      const end = Math.min(dayEnd, nextEpoch, nextHalving);
      const credited = creditedRewardBtc(
        base.payoutScheme,
        subsidySatsAt(h) / SATS_PER_BTC,
        base.avgFeesPerBlockBtc,
      );
      btc += expectedBtcPerDay(hashrateHs, difficultyAt(h), credited) * ((end - h) / BLOCKS_PER_DAY);
      if (end === nextHalving && end < dayEnd) halvings.push({ day: d + 1, height: end });
      h = end;
    }
    btc *= kept;
    const btcUsd = base.btcUsd * (1 + priceChange / 100) ** (d / DAYS_PER_MONTH);
    const fullRevenue = btc * btcUsd;
    const fullElectricity = energyKwhPerDay * base.electricityUsdPerKwh;
    const running = !switchOff || fullRevenue > fullElectricity;
    const revenueUsd = running ? fullRevenue : 0;
    const electricityCostUsd = running ? fullElectricity : 0;
    // Same operation order as calculate(), so a constant world repeats it bit for bit.
    const profitUsd = revenueUsd - (electricityCostUsd + hostingCostUsd);
    cumulative += profitUsd;
    const discountedProfitUsd = profitUsd / (1 + discount / 100) ** ((d + 1) / DAYS_PER_YEAR);
    presentValue += discountedProfitUsd;
    if (paybackDay === null && cumulative >= totalHardwareCostUsd) paybackDay = d + 1;

    totals.btcMined += running ? btc : 0;
    totals.revenueUsd += revenueUsd;
    totals.electricityCostUsd += electricityCostUsd;
    totals.hostingCostUsd += hostingCostUsd;
    totals.profitUsd += profitUsd;
    if (running) totals.daysRunning++;
    out.push({
      day: d + 1,
      startHeight: dayStart,
      difficulty: difficultyAt(dayStart),
      blockSubsidyBtc: subsidySatsAt(dayStart) / SATS_PER_BTC,
      btcUsd,
      running,
      btcMined: running ? btc : 0,
      revenueUsd,
      electricityCostUsd,
      hostingCostUsd,
      profitUsd,
      cumulativeProfitUsd: cumulative,
      discountedProfitUsd,
    });
  }

  return {
    inputs: {
      ...base,
      days,
      difficultyGrowthPercentPerEpoch: growth,
      nextDifficulty,
      btcUsdChangePercentPerMonth: priceChange,
      switchOffWhenUnprofitable: switchOff,
      discountRatePercentPerYear: discount,
    },
    days: out,
    totals,
    halvings,
    totalHardwareCostUsd,
    npvUsd: presentValue - totalHardwareCostUsd,
    paybackDay,
  };
}
