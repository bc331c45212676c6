import { DAYS_PER_MONTH, H_PER_TH } from './constants.js';
import { ProfitError } from './errors.js';
import {
  checkDifficulty,
  expectedBtcPerDay,
  type Hashprice,
  hashprice,
  networkHashrateHs,
} from './network.js';
import { checkPayoutScheme, creditedRewardBtc, type PayoutScheme } from './payout.js';
import { blockSubsidyBtc, MAX_BLOCK_HEIGHT } from './subsidy.js';
import { checkKnownKeys, checkNumber, checkObject, optionalNumber } from './validate.js';

/**
 * One static calculation. Per-unit machine figures times `quantity`; every money figure in USD.
 * Optional inputs left out mean "none" (no fees, no pool fee, no hosting, no hardware cost), never a hidden default.
 */
export interface CalculationInput {
  /** Hashrate of one unit, TH/s (nameplate or measured). */
  hashrateTh: number;
  /** Power draw of one unit at the wall, W. */
  powerW: number;
  /** Number of units (integer). Default 1. */
  quantity?: number;
  /** Hours a day the units run (hashing and drawing power), 0-24. Default 24. */
  hoursPerDay?: number;
  /** Network difficulty (≥ 1). */
  difficulty: number;
  /** BTC price, USD. */
  btcUsd: number;
  /** Electricity price, USD per kWh (an all-in hosting rate per kWh goes here too). */
  electricityUsdPerKwh: number;
  /** Block height; the subsidy follows from it. Give this or `blockSubsidyBtc`, not both. */
  blockHeight?: number;
  /** Block subsidy override, BTC. */
  blockSubsidyBtc?: number;
  /** Average transaction fees per block, BTC (e.g. a 144-block trailing mean). Default 0. */
  avgFeesPerBlockBtc?: number;
  /** Pool fee, percent of what the scheme credits (0-100). Default 0; DEFAULT_POOL_FEE_PERCENT is the usual 2. */
  poolFeePercent?: number;
  /** Payout scheme, see payout.ts. Default FPPS. */
  payoutScheme?: PayoutScheme;
  /** Fixed hosting fee per unit per 30-day month, USD. Default 0. */
  hostingUsdPerUnitMonth?: number;
  /** Hosting revenue share, percent of the BTC credited after the pool fee (0-100). Default 0. */
  hostingRevenueSharePercent?: number;
  /** Hardware cost of one unit, USD, for payback. Default 0. */
  hardwareCostUsd?: number;
}

/** The usual FPPS pool fee (reference: 1.5-2.5 %, 2 % "standard"), for callers that need a default. */
export const DEFAULT_POOL_FEE_PERCENT = 2;

/** Bounds that keep every product finite while passing anything a real fleet could be. */
export const LIMITS = {
  hashrateTh: 1e9,
  powerW: 1e9,
  quantity: 1e9,
  btcUsd: 1e12,
  electricityUsdPerKwh: 1e6,
  blockSubsidyBtc: 50,
  avgFeesPerBlockBtc: 21e6,
  usd: 1e12,
} as const;

/** The inputs the calculation used, defaults filled in, subsidy resolved. */
export interface ResolvedInputs {
  hashrateTh: number;
  powerW: number;
  quantity: number;
  hoursPerDay: number;
  difficulty: number;
  btcUsd: number;
  electricityUsdPerKwh: number;
  /** null when the subsidy was given directly. */
  blockHeight: number | null;
  blockSubsidyBtc: number;
  subsidySource: 'blockHeight' | 'blockSubsidyBtc';
  avgFeesPerBlockBtc: number;
  poolFeePercent: number;
  payoutScheme: PayoutScheme;
  hostingUsdPerUnitMonth: number;
  hostingRevenueSharePercent: number;
  hardwareCostUsd: number;
}

export interface CalculationResult {
  inputs: ResolvedInputs;
  /** hashrateTh · quantity, TH/s. */
  totalHashrateTh: number;
  /** powerW · quantity, W. */
  totalPowerW: number;
  /** powerW / hashrateTh, J/TH; null at zero hashrate. */
  efficiencyJPerTh: number | null;
  /** D · 2^32 / 600 / 1e18, EH/s. */
  networkHashrateEhs: number;
  /** Expected share of subsidy + fees before the payout scheme, pool fee and revenue share, BTC/day. */
  grossBtcPerDay: number;
  /** BTC/day credited to the owner: scheme reward · (1 − pool fee) · (1 − revenue share). */
  btcPerDay: number;
  /** powerW · quantity · hoursPerDay / 1000, kWh/day. */
  energyKwhPerDay: number;
  /** btcPerDay · btcUsd. */
  dailyRevenueUsd: number;
  /** energyKwhPerDay · electricityUsdPerKwh. */
  dailyElectricityCostUsd: number;
  /** hostingUsdPerUnitMonth · quantity / 30. */
  dailyHostingCostUsd: number;
  /** Electricity + hosting. */
  dailyCostUsd: number;
  dailyProfitUsd: number;
  /** 30 × the daily figures. */
  monthlyRevenueUsd: number;
  monthlyCostUsd: number;
  monthlyProfitUsd: number;
  /**
   * Electricity price at which profit is 0: (revenue − hosting) / kWh per day, USD/kWh. Negative when the fixed
   * hosting fee alone exceeds revenue; null when the machines draw no power (profit does not depend on it).
   */
  breakEvenElectricityUsdPerKwh: number | null;
  /** BTC price at which profit is 0: cost / btcPerDay, USD; null when nothing is mined. */
  breakEvenBtcUsd: number | null;
  /** Network hashprice (before pool fee), see network.ts. */
  hashprice: Hashprice;
  /** Electricity cost of 1 TH/s for a day on these machines: J/TH · 24 / 1000 · USD/kWh; null at zero hashrate. */
  hashcostUsdPerThDay: number | null;
  /** hardwareCostUsd · quantity. */
  totalHardwareCostUsd: number;
  /**
   * Static payback: total hardware cost / daily profit, days. 0 when there is nothing to pay back; null when the
   * daily profit is 0 or negative (never pays back).
   */
  paybackDays: number | null;
}

/** Every key CalculationInput has; anything else is refused. */
export const CALCULATION_KEYS: readonly (keyof CalculationInput)[] = [
  'hashrateTh',
  'powerW',
  'quantity',
  'hoursPerDay',
  'difficulty',
  'btcUsd',
  'electricityUsdPerKwh',
  'blockHeight',
  'blockSubsidyBtc',
  'avgFeesPerBlockBtc',
  'poolFeePercent',
  'payoutScheme',
  'hostingUsdPerUnitMonth',
  'hostingRevenueSharePercent',
  'hardwareCostUsd',
];
const KNOWN = new Set<string>(CALCULATION_KEYS);

/**
 * Validate and fill defaults. Throws ProfitError (PROFIT_BAD_INPUT) naming the first bad field, or an unknown key.
 * `known` widens the accepted keys for callers with more inputs (the projection).
 */
export function resolveInputs(input: unknown, known: ReadonlySet<string> = KNOWN): ResolvedInputs {
  const raw = checkObject(input, 'input');
  checkKnownKeys(raw, known);
  const hasHeight = raw.blockHeight !== undefined;
  const hasSubsidy = raw.blockSubsidyBtc !== undefined;
  if (hasHeight === hasSubsidy) {
    throw new ProfitError(
      'PROFIT_BAD_INPUT',
      'blockHeight',
      hasHeight
        ? 'blockHeight: give blockHeight or blockSubsidyBtc, not both'
        : 'blockHeight: give blockHeight or blockSubsidyBtc',
    );
  }
  const blockHeight = hasHeight
    ? checkNumber(raw.blockHeight, 'blockHeight', { min: 0, max: MAX_BLOCK_HEIGHT, integer: true })
    : null;
  return {
    hashrateTh: checkNumber(raw.hashrateTh, 'hashrateTh', { min: 0, max: LIMITS.hashrateTh }),
    powerW: checkNumber(raw.powerW, 'powerW', { min: 0, max: LIMITS.powerW }),
    quantity: optionalNumber(raw.quantity, 'quantity', { min: 0, max: LIMITS.quantity, integer: true }, 1),
    hoursPerDay: optionalNumber(raw.hoursPerDay, 'hoursPerDay', { min: 0, max: 24 }, 24),
    difficulty: checkDifficulty(raw.difficulty),
    btcUsd: checkNumber(raw.btcUsd, 'btcUsd', { min: 0, max: LIMITS.btcUsd }),
    electricityUsdPerKwh: checkNumber(raw.electricityUsdPerKwh, 'electricityUsdPerKwh', {
      min: 0,
      max: LIMITS.electricityUsdPerKwh,
    }),
    blockHeight,
    blockSubsidyBtc:
      blockHeight === null
        ? checkNumber(raw.blockSubsidyBtc, 'blockSubsidyBtc', { min: 0, max: LIMITS.blockSubsidyBtc })
        : blockSubsidyBtc(blockHeight),
    subsidySource: blockHeight === null ? 'blockSubsidyBtc' : 'blockHeight',
    avgFeesPerBlockBtc: optionalNumber(
      raw.avgFeesPerBlockBtc,
      'avgFeesPerBlockBtc',
      { min: 0, max: LIMITS.avgFeesPerBlockBtc },
      0,
    ),
    poolFeePercent: optionalNumber(raw.poolFeePercent, 'poolFeePercent', { min: 0, max: 100 }, 0),
    payoutScheme: raw.payoutScheme === undefined ? 'FPPS' : checkPayoutScheme(raw.payoutScheme),
    hostingUsdPerUnitMonth: optionalNumber(
      raw.hostingUsdPerUnitMonth,
      'hostingUsdPerUnitMonth',
      { min: 0, max: LIMITS.usd },
      0,
    ),
    hostingRevenueSharePercent: optionalNumber(
      raw.hostingRevenueSharePercent,
      'hostingRevenueSharePercent',
      { min: 0, max: 100 },
      0,
    ),
    hardwareCostUsd: optionalNumber(raw.hardwareCostUsd, 'hardwareCostUsd', { min: 0, max: LIMITS.usd }, 0),
  };
}

/** Everything that does not depend on the BTC or electricity price, computed once for a heatmap. */
export interface Prepared {
  inputs: ResolvedInputs;
  grossBtcPerDay: number;
  btcPerDay: number;
  energyKwhPerDay: number;
  dailyHostingCostUsd: number;
  totalHardwareCostUsd: number;
}

/** The fraction of the scheme's reward the owner keeps after the pool fee and the hosting revenue share. */
export function keptFraction(inputs: ResolvedInputs): number {
  return (1 - inputs.poolFeePercent / 100) * (1 - inputs.hostingRevenueSharePercent / 100);
}

/** Hashes per second averaged over the day: all units, scaled by the hours they run (× 1 exactly at 24 h). */
export function averageHashrateHs(inputs: ResolvedInputs): number {
  return inputs.hashrateTh * H_PER_TH * inputs.quantity * (inputs.hoursPerDay / 24);
}

export function prepare(inputs: ResolvedInputs): Prepared {
  const hashrateHs = averageHashrateHs(inputs);
  const credited = creditedRewardBtc(inputs.payoutScheme, inputs.blockSubsidyBtc, inputs.avgFeesPerBlockBtc);
  return {
    inputs,
    grossBtcPerDay: expectedBtcPerDay(
      hashrateHs,
      inputs.difficulty,
      inputs.blockSubsidyBtc + inputs.avgFeesPerBlockBtc,
    ),
    btcPerDay: expectedBtcPerDay(hashrateHs, inputs.difficulty, credited) * keptFraction(inputs),
    energyKwhPerDay: (inputs.powerW * inputs.quantity * inputs.hoursPerDay) / 1000,
    dailyHostingCostUsd: (inputs.hostingUsdPerUnitMonth * inputs.quantity) / DAYS_PER_MONTH,
    totalHardwareCostUsd: inputs.hardwareCostUsd * inputs.quantity,
  };
}

/** The price-dependent figures. calculate() and heatmap() both go through here, so their cells agree exactly. */
export interface Money {
  dailyRevenueUsd: number;
  dailyElectricityCostUsd: number;
  dailyCostUsd: number;
  dailyProfitUsd: number;
  breakEvenElectricityUsdPerKwh: number | null;
  breakEvenBtcUsd: number | null;
  paybackDays: number | null;
}

export function money(prepared: Prepared, btcUsd: number, electricityUsdPerKwh: number): Money {
  const dailyRevenueUsd = prepared.btcPerDay * btcUsd;
  const dailyElectricityCostUsd = prepared.energyKwhPerDay * electricityUsdPerKwh;
  const dailyCostUsd = dailyElectricityCostUsd + prepared.dailyHostingCostUsd;
  const dailyProfitUsd = dailyRevenueUsd - dailyCostUsd;
  return {
    dailyRevenueUsd,
    dailyElectricityCostUsd,
    dailyCostUsd,
    dailyProfitUsd,
    breakEvenElectricityUsdPerKwh:
      prepared.energyKwhPerDay > 0
        ? (dailyRevenueUsd - prepared.dailyHostingCostUsd) / prepared.energyKwhPerDay
        : null,
    breakEvenBtcUsd: prepared.btcPerDay > 0 ? dailyCostUsd / prepared.btcPerDay : null,
    paybackDays: paybackDays(prepared.totalHardwareCostUsd, dailyProfitUsd),
  };
}

/** capex / daily profit; 0 with nothing to pay back; null when profit ≤ 0 (never). */
export function paybackDays(capexUsd: number, dailyProfitUsd: number): number | null {
  if (capexUsd === 0) return 0;
  return dailyProfitUsd > 0 ? capexUsd / dailyProfitUsd : null;
}

/** The static calculator: expected BTC, revenue, cost, profit, break-evens, hashprice and payback for one input. */
export function calculate(input: CalculationInput): CalculationResult {
  const prepared = prepare(resolveInputs(input));
  const { inputs } = prepared;
  const m = money(prepared, inputs.btcUsd, inputs.electricityUsdPerKwh);
  return {
    inputs,
    totalHashrateTh: inputs.hashrateTh * inputs.quantity,
    totalPowerW: inputs.powerW * inputs.quantity,
    efficiencyJPerTh: inputs.hashrateTh > 0 ? inputs.powerW / inputs.hashrateTh : null,
    networkHashrateEhs: networkHashrateHs(inputs.difficulty) / 1e18,
    grossBtcPerDay: prepared.grossBtcPerDay,
    btcPerDay: prepared.btcPerDay,
    energyKwhPerDay: prepared.energyKwhPerDay,
    dailyRevenueUsd: m.dailyRevenueUsd,
    dailyElectricityCostUsd: m.dailyElectricityCostUsd,
    dailyHostingCostUsd: prepared.dailyHostingCostUsd,
    dailyCostUsd: m.dailyCostUsd,
    dailyProfitUsd: m.dailyProfitUsd,
    monthlyRevenueUsd: m.dailyRevenueUsd * DAYS_PER_MONTH,
    monthlyCostUsd: m.dailyCostUsd * DAYS_PER_MONTH,
    monthlyProfitUsd: m.dailyProfitUsd * DAYS_PER_MONTH,
    breakEvenElectricityUsdPerKwh: m.breakEvenElectricityUsdPerKwh,
    breakEvenBtcUsd: m.breakEvenBtcUsd,
    hashprice: hashprice(
      inputs.difficulty,
      inputs.blockSubsidyBtc + inputs.avgFeesPerBlockBtc,
      inputs.btcUsd,
    ),
    hashcostUsdPerThDay:
      inputs.hashrateTh > 0
        ? ((inputs.powerW / inputs.hashrateTh) * 24 * inputs.electricityUsdPerKwh) / 1000
        : null,
    totalHardwareCostUsd: prepared.totalHardwareCostUsd,
    paybackDays: m.paybackDays,
  };
}
