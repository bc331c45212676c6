import { type CalculationResult, calculate, type PayoutScheme } from '@hashinsight/profitability';
import type { Db } from '../../db/index.js';
import { AppError } from '../../http/errors.js';
import type { Principal } from '../../plugins/access.js';
import { type CatalogModel, modelIndex, modelKey } from '../catalog/index.js';
import type { NetworkState } from '../network/index.js';
import { asInputError } from './errors.js';
import { type LiveScope, scopeTargetsExist, selectModelCounts, selectRollupSums } from './repository.js';
import { type CalculationRequest, resolveCalculation, resultView } from './service.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Rollup buckets: 5 min ones for periods up to two days, hourly ones beyond (kept 400 days by default). */
const BUCKET_MS = { '5m': 300_000, '1h': HOUR_MS } as const;

export const scopeNotFound = () =>
  new AppError('CALC_SCOPE_NOT_FOUND', 404, 'The site, customer or miner to calculate for was not found');

export interface LiveRequest extends LiveScope {
  fromMs: number;
  toMs: number;
  electricity_cost: number;
  pool_fee_percent?: number;
  payout_scheme?: PayoutScheme;
  hosting_fee?: number;
  hosting_revenue_share_percent?: number;
}

/**
 * Profitability of the miners in scope from what they measured over [from, to): their mean hashrate and power
 * (time without samples counts as zero: offline machines earn nothing and draw nothing), priced with the current
 * network state. Per day like the calculator, and for the whole period. Nameplate figures from the catalog are
 * given beside the measured ones.
 */
export async function liveProfitability(
  db: Db,
  principal: Principal,
  request: LiveRequest,
  catalog: readonly CatalogModel[],
  network: NetworkState,
  nowMs: number,
) {
  const scope: LiveScope = {
    siteId: request.siteId,
    customerId: request.customerId,
    agentId: request.agentId,
    minerId: request.minerId,
  };
  if (!(await scopeTargetsExist(db, principal, scope))) throw scopeNotFound();
  const { fromMs, toMs } = request;
  const resolution = toMs - fromMs <= 2 * DAY_MS ? '5m' : '1h';
  const bucketMs = BUCKET_MS[resolution];
  const sums = await selectRollupSums(db, principal, scope, resolution, fromMs, toMs);
  const counts = await selectModelCounts(db, principal, scope);
  const index = modelIndex(catalog);
  let miners = 0;
  let nameplateTh = 0;
  let nameplateW = 0;
  let unknownModels = 0;
  for (const { model, n } of counts) {
    const count = Number(n);
    miners += count;
    const known = index.get(modelKey(model));
    if (known === undefined) unknownModels += count;
    else {
      nameplateTh += known.hashrateTh * count;
      nameplateW += known.powerW * count;
    }
  }
  const periodMs = toMs - fromMs;
  const avgHashrateTh = (sums.hashrateBucketsMhs * bucketMs) / periodMs / 1e6;
  const avgPowerW = (sums.powerBucketsW * bucketMs) / periodMs;
  const energyKwh = (sums.powerBucketsW * bucketMs) / HOUR_MS / 1000;
  const calculation: CalculationRequest = {
    hashrate_th: avgHashrateTh,
    power_w: avgPowerW,
    quantity: 1,
    electricity_cost: request.electricity_cost,
    // One "unit" stands for the whole scope, so a per-unit hosting fee is multiplied by the miners in it.
    hosting_fee: (request.hosting_fee ?? 0) * miners,
    ...(request.pool_fee_percent === undefined ? {} : { pool_fee_percent: request.pool_fee_percent }),
    ...(request.payout_scheme === undefined ? {} : { payout_scheme: request.payout_scheme }),
    ...(request.hosting_revenue_share_percent === undefined
      ? {}
      : { hosting_revenue_share_percent: request.hosting_revenue_share_percent }),
  };
  // A scope that hashed nothing still gets an answer (all cost, no revenue): the maths takes hashrate 0.
  const { input, used } = resolveCalculation(calculation, catalog, network, nowMs);
  used.hashrate_th = { value: avgHashrateTh, source: 'measured', as_of: null, age_seconds: null };
  used.power_w = { value: avgPowerW, source: 'measured', as_of: null, age_seconds: null };
  let result: CalculationResult;
  try {
    result = calculate(input);
  } catch (error) {
    throw asInputError(error);
  }
  const days = periodMs / DAY_MS;
  return {
    scope: {
      siteId: scope.siteId ?? null,
      customerId: scope.customerId ?? null,
      agentId: scope.agentId ?? null,
      minerId: scope.minerId ?? null,
    },
    from: new Date(fromMs).toISOString(),
    to: new Date(toMs).toISOString(),
    resolution,
    miners,
    measured: {
      avg_hashrate_th: avgHashrateTh,
      avg_power_w: avgPowerW,
      energy_kwh: energyKwh,
      uptime_percent: sums.samples > 0 ? (sums.onlineSamples / sums.samples) * 100 : null,
      efficiency_j_th: avgHashrateTh > 0 ? avgPowerW / avgHashrateTh : null,
    },
    nameplate: { hashrate_th: nameplateTh, power_w: nameplateW, unknown_models: unknownModels },
    period: {
      days,
      btc: result.btcPerDay * days,
      revenue: result.dailyRevenueUsd * days,
      electricity_cost: result.dailyElectricityCostUsd * days,
      hosting_cost: result.dailyHostingCostUsd * days,
      profit: result.dailyProfitUsd * days,
    },
    per_day: resultView(result, used, network.status),
  };
}
