import { calculate, calculateBatch, heatmap } from '@hashinsight/profitability';
import type { FastifyPluginAsync } from 'fastify';
import { ok } from '../../http/envelope.js';
import { principalOf } from '../../plugins/access.js';
import { tenantCatalog } from '../catalog/index.js';
import type { NetworkService } from '../network/index.js';
import { asInputError, rangeInvalid } from './errors.js';
import { type LiveRequest, liveProfitability } from './live.js';
import {
  batchBody,
  batchResponse,
  calculationBody,
  calculationResponse,
  heatmapBody,
  heatmapResponse,
  liveQuery,
  liveResponse,
  replayBody,
  replayResponse,
} from './schemas.js';
import { type CalculationRequest, resolveCalculation, resultView } from './service.js';

export { type LiveRequest, liveProfitability } from './live.js';
export { liveResponse } from './schemas.js';
export { type CalculationRequest, resolveCalculation, resultView } from './service.js';

const DAY_MS = 86_400_000;
const MAX_REPLAY_POINTS = 2000;

/** The maths package's refusals become 400 CALC_INPUT_INVALID. */
function guarded<T>(compute: () => T): T {
  try {
    return compute();
  } catch (error) {
    throw asInputError(error);
  }
}

type LiveQuery = Omit<LiveRequest, 'fromMs' | 'toMs'> & { from?: string; to?: string };
type HeatmapRequest = CalculationRequest & { btc_prices: number[]; electricity_prices: number[] };
type ReplayRequest = CalculationRequest & { from?: string; to?: string };

/**
 * The profitability calculator (POST /api/calculate and its batch, heatmap and replay forms) for every logged-in
 * user, and live profitability from measured telemetry for fleet roles, scoped like the fleet.
 */
const profitabilityFeature: FastifyPluginAsync<{ network: NetworkService; now?: () => number }> = async (
  fastify,
  { network, now = Date.now },
) => {
  /** What every calculation needs besides the request: the caller's catalog and the network state. */
  const context = async (tenantId: string) => ({
    catalog: await tenantCatalog(fastify.platform.cache, fastify.db, tenantId),
    state: await network.current(),
    nowMs: now(),
  });

  fastify.post<{ Body: CalculationRequest }>(
    '/api/calculate',
    {
      config: { access: 'calculator' },
      schema: { body: calculationBody, response: { 200: calculationResponse } },
    },
    async (request) => {
      const { catalog, state, nowMs } = await context(principalOf(request).tenantId);
      const { input, used } = resolveCalculation(request.body, catalog, state, nowMs);
      return ok(
        resultView(
          guarded(() => calculate(input)),
          used,
          state.status,
        ),
      );
    },
  );

  fastify.post<{ Body: { calculations: CalculationRequest[] } }>(
    '/api/calculate/batch',
    { config: { access: 'calculator' }, schema: { body: batchBody, response: { 200: batchResponse } } },
    async (request) => {
      const { catalog, state, nowMs } = await context(principalOf(request).tenantId);
      const resolved = request.body.calculations.map((item) =>
        resolveCalculation(item, catalog, state, nowMs),
      );
      const results = guarded(() => calculateBatch(resolved.map((r) => r.input)));
      return ok({
        results: results.map((result, i) => resultView(result, resolved[i]?.used ?? {}, state.status)),
      });
    },
  );

  fastify.post<{ Body: HeatmapRequest }>(
    '/api/calculate/heatmap',
    { config: { access: 'calculator' }, schema: { body: heatmapBody, response: { 200: heatmapResponse } } },
    async (request) => {
      const { btc_prices, electricity_prices, ...base } = request.body;
      const { catalog, state, nowMs } = await context(principalOf(request).tenantId);
      const { input, used } = resolveCalculation(base, catalog, state, nowMs);
      const grid = guarded(() => heatmap(input, btc_prices, electricity_prices));
      const { btc_price: _price, electricity_cost: _electricity, ...inputs } = used;
      return ok({
        btc_prices: grid.btcPrices,
        electricity_prices: grid.electricityPrices,
        daily_profit: grid.dailyProfitUsd,
        roi_days: grid.paybackDays,
        network_status: state.status,
        inputs,
      });
    },
  );

  fastify.post<{ Body: ReplayRequest }>(
    '/api/calculate/replay',
    { config: { access: 'calculator' }, schema: { body: replayBody, response: { 200: replayResponse } } },
    async (request) => {
      const { from, to, ...base } = request.body;
      const { catalog, state, nowMs } = await context(principalOf(request).tenantId);
      const toMs = to === undefined ? nowMs : Date.parse(to);
      const fromMs = from === undefined ? toMs - 30 * DAY_MS : Date.parse(from);
      if (!(fromMs < toMs)) throw rangeInvalid();
      const { input } = resolveCalculation(base, catalog, state, nowMs);
      const snapshots = await network.snapshots(fromMs, toMs, MAX_REPLAY_POINTS + 1);
      const points = snapshots.slice(0, MAX_REPLAY_POINTS).map((snapshot) => {
        const result = guarded(() =>
          calculate({
            ...input,
            btcUsd: Number(snapshot.btc_price_usd),
            difficulty: Number(snapshot.difficulty),
            blockHeight: Number(snapshot.block_height),
            avgFeesPerBlockBtc: Number(snapshot.avg_fees_btc),
          }),
        );
        return {
          at: new Date(Number(snapshot.fetched_at)).toISOString(),
          snapshot_id: snapshot.id,
          btc_price: Number(snapshot.btc_price_usd),
          difficulty: Number(snapshot.difficulty),
          block_height: Number(snapshot.block_height),
          btc_per_day: result.btcPerDay,
          daily_revenue: result.dailyRevenueUsd,
          daily_cost: result.dailyCostUsd,
          daily_profit: result.dailyProfitUsd,
          hashprice_usd_per_ph_day: result.hashprice.usdPerPhDay,
        };
      });
      return ok({
        from: new Date(fromMs).toISOString(),
        to: new Date(toMs).toISOString(),
        points,
        average_daily_profit:
          points.length === 0 ? null : points.reduce((sum, p) => sum + p.daily_profit, 0) / points.length,
        truncated: snapshots.length > MAX_REPLAY_POINTS,
      });
    },
  );

  fastify.get<{ Querystring: LiveQuery }>(
    '/api/profitability/live',
    { config: { access: 'fleet' }, schema: { querystring: liveQuery, response: { 200: liveResponse } } },
    async (request) => {
      const principal = principalOf(request);
      const { from, to, ...rest } = request.query;
      const { catalog, state, nowMs } = await context(principal.tenantId);
      const toMs = to === undefined ? nowMs : Date.parse(to);
      const fromMs = from === undefined ? toMs - DAY_MS : Date.parse(from);
      if (!(fromMs < toMs)) throw rangeInvalid();
      return ok(
        await liveProfitability(fastify.db, principal, { ...rest, fromMs, toMs }, catalog, state, nowMs),
      );
    },
  );
};

export default profitabilityFeature;
