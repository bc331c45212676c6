import {
  type CalculationInput,
  type CalculationResult,
  DEFAULT_POOL_FEE_PERCENT,
  type PayoutScheme,
} from '@hashinsight/profitability';
import { type CatalogModel, findModel } from '../catalog/index.js';
import type { Figure, NetworkState } from '../network/index.js';
import { machineAmbiguous, machineRequired, modelUnknown, subsidyAmbiguous } from './errors.js';

/** A calculation request in the original design's snake_case. */
export interface CalculationRequest {
  miner_model?: string;
  hashrate_th?: number;
  power_w?: number;
  quantity?: number;
  electricity_cost?: number;
  btc_price?: number;
  difficulty?: number;
  block_height?: number;
  block_subsidy?: number;
  avg_fees_per_block?: number;
  pool_fee_percent?: number;
  payout_scheme?: PayoutScheme;
  hosting_fee?: number;
  hosting_revenue_share_percent?: number;
  hardware_cost_usd?: number;
}

/** An input the calculation used and where it came from; network figures carry their time and age. */
export interface UsedInput {
  value: number | string | null;
  source: string;
  as_of: string | null;
  age_seconds: number | null;
}

export type UsedInputs = Record<string, UsedInput>;

const given = (value: number | string | null, source = 'request'): UsedInput => ({
  value,
  source,
  as_of: null,
  age_seconds: null,
});

const fromNetwork = (figure: Figure, nowMs: number): UsedInput => ({
  value: figure.value,
  source: figure.source,
  as_of: new Date(figure.asOfMs).toISOString(),
  age_seconds: Math.max(0, Math.floor((nowMs - figure.asOfMs) / 1000)),
});

export interface Resolved {
  input: CalculationInput;
  used: UsedInputs;
}

/**
 * The maths package's input for a request: the machine from the catalog (by id or name) or the request, the
 * network figures from the request or the network state, defaults for the rest; and each value's origin.
 * `electricity_cost` may be missing only for heatmaps (the axis replaces it; 0 stands in).
 */
export function resolveCalculation(
  request: CalculationRequest,
  catalog: readonly CatalogModel[],
  network: NetworkState,
  nowMs: number,
): Resolved {
  const used: UsedInputs = {};
  const custom = request.hashrate_th !== undefined || request.power_w !== undefined;
  let hashrateTh: number;
  let powerW: number;
  if (request.miner_model !== undefined) {
    if (custom) throw machineAmbiguous();
    const model = findModel(catalog, request.miner_model);
    if (model === undefined) throw modelUnknown();
    hashrateTh = model.hashrateTh;
    powerW = model.powerW;
    used.miner_model = given(model.model, model.origin === 'shipped' ? 'catalog' : 'catalog:tenant');
    used.hashrate_th = given(hashrateTh, 'catalog');
    used.power_w = given(powerW, 'catalog');
  } else {
    if (request.hashrate_th === undefined || request.power_w === undefined) throw machineRequired();
    hashrateTh = request.hashrate_th;
    powerW = request.power_w;
    used.miner_model = given(null);
    used.hashrate_th = given(hashrateTh);
    used.power_w = given(powerW);
  }
  if (request.block_height !== undefined && request.block_subsidy !== undefined) throw subsidyAmbiguous();

  const pick = (value: number | undefined, figure: Figure): [number, UsedInput] =>
    value === undefined ? [figure.value, fromNetwork(figure, nowMs)] : [value, given(value)];
  const withDefault = (value: number | undefined, fallback: number): [number, UsedInput] =>
    value === undefined ? [fallback, given(fallback, 'default')] : [value, given(value)];

  const [btcUsd, btcUsed] = pick(request.btc_price, network.btcPriceUsd);
  const [difficulty, difficultyUsed] = pick(request.difficulty, network.difficulty);
  const [fees, feesUsed] = pick(request.avg_fees_per_block, network.avgFeesPerBlockBtc);
  const [quantity, quantityUsed] = withDefault(request.quantity, 1);
  const [electricity, electricityUsed] = withDefault(request.electricity_cost, 0);
  const [poolFee, poolFeeUsed] = withDefault(request.pool_fee_percent, DEFAULT_POOL_FEE_PERCENT);
  const [hosting, hostingUsed] = withDefault(request.hosting_fee, 0);
  const [share, shareUsed] = withDefault(request.hosting_revenue_share_percent, 0);
  const [hardware, hardwareUsed] = withDefault(request.hardware_cost_usd, 0);
  const scheme: PayoutScheme = request.payout_scheme ?? 'FPPS';

  const input: CalculationInput = {
    hashrateTh,
    powerW,
    quantity,
    difficulty,
    btcUsd,
    electricityUsdPerKwh: electricity,
    avgFeesPerBlockBtc: fees,
    poolFeePercent: poolFee,
    payoutScheme: scheme,
    hostingUsdPerUnitMonth: hosting,
    hostingRevenueSharePercent: share,
    hardwareCostUsd: hardware,
  };
  if (request.block_subsidy !== undefined) {
    input.blockSubsidyBtc = request.block_subsidy;
    used.block_height = given(null);
    used.block_subsidy = given(request.block_subsidy);
  } else if (request.block_height !== undefined) {
    input.blockHeight = request.block_height;
    used.block_height = given(request.block_height);
    used.block_subsidy = given(null, 'block_height');
  } else {
    input.blockHeight = network.blockHeight.value;
    used.block_height = fromNetwork(network.blockHeight, nowMs);
    used.block_subsidy = given(null, 'block_height');
  }
  Object.assign(used, {
    quantity: quantityUsed,
    electricity_cost: electricityUsed,
    btc_price: btcUsed,
    difficulty: difficultyUsed,
    avg_fees_per_block: feesUsed,
    pool_fee_percent: poolFeeUsed,
    payout_scheme: given(scheme, request.payout_scheme === undefined ? 'default' : 'request'),
    hosting_fee: hostingUsed,
    hosting_revenue_share_percent: shareUsed,
    hardware_cost_usd: hardwareUsed,
  });
  return { input, used };
}

/** The original design's response shape for one result; the used subsidy is filled in from the result. */
export function resultView(result: CalculationResult, used: UsedInputs, networkStatus: string) {
  const inputs = { ...used };
  const subsidy = inputs.block_subsidy;
  if (subsidy !== undefined && subsidy.value === null)
    inputs.block_subsidy = { ...subsidy, value: result.inputs.blockSubsidyBtc };
  return {
    daily_revenue: result.dailyRevenueUsd,
    daily_cost: result.dailyCostUsd,
    daily_electricity_cost: result.dailyElectricityCostUsd,
    daily_hosting_cost: result.dailyHostingCostUsd,
    daily_profit: result.dailyProfitUsd,
    monthly_revenue: result.monthlyRevenueUsd,
    monthly_cost: result.monthlyCostUsd,
    monthly_profit: result.monthlyProfitUsd,
    roi_days: result.paybackDays,
    btc_per_day: result.btcPerDay,
    gross_btc_per_day: result.grossBtcPerDay,
    hashprice: {
      usd_per_th_day: result.hashprice.usdPerThDay,
      usd_per_ph_day: result.hashprice.usdPerPhDay,
      btc_per_th_day: result.hashprice.btcPerThDay,
      btc_per_ph_day: result.hashprice.btcPerPhDay,
    },
    hashcost_usd_per_th_day: result.hashcostUsdPerThDay,
    break_even_electricity_cost: result.breakEvenElectricityUsdPerKwh,
    break_even_btc_price: result.breakEvenBtcUsd,
    total_hashrate_th: result.totalHashrateTh,
    total_power_w: result.totalPowerW,
    efficiency_j_th: result.efficiencyJPerTh,
    energy_kwh_per_day: result.energyKwhPerDay,
    network_hashrate_ehs: result.networkHashrateEhs,
    total_hardware_cost_usd: result.totalHardwareCostUsd,
    network_status: networkStatus,
    inputs,
  };
}
