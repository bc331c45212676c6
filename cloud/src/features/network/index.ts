import type { FastifyPluginAsync } from 'fastify';
import { ok } from '../../http/envelope.js';
import { AppError } from '../../http/errors.js';
import type { SnapshotRow } from './repository.js';
import { snapshotsQuery, snapshotsResponse, stateResponse } from './schemas.js';
import type { Figure, NetworkService, NetworkState } from './service.js';

export {
  DEFAULT_REFRESH_MS,
  DEFAULT_SOURCE_URLS,
  DEFAULT_STATIC_FIGURES,
  SOURCE_IDS,
  type SourceId,
  type StaticFigures,
} from './defaults.js';
export { SourceError, type SourceErrorCode } from './errors.js';
export { createFetcher, DEFAULT_FETCH_LIMITS, type Fetcher, type FetchLimits } from './http.js';
export type { SnapshotRow } from './repository.js';
export { type NetworkFigures, sane } from './sanity.js';
export { figure as figureSchema } from './schemas.js';
export {
  type Figure,
  figuresOf,
  NetworkService,
  type NetworkServiceOptions,
  type NetworkState,
} from './service.js';
export { type NetworkSource, sourcesFor } from './sources.js';

/** A figure as the API shows it: value, origin, ISO time and age in whole seconds at `nowMs`. */
export function figureView(figure: Figure, nowMs: number) {
  return {
    value: figure.value,
    source: figure.source,
    asOf: new Date(figure.asOfMs).toISOString(),
    ageSeconds: Math.max(0, Math.floor((nowMs - figure.asOfMs) / 1000)),
  };
}

export function stateView(state: NetworkState, nowMs: number) {
  return {
    btcPriceUsd: figureView(state.btcPriceUsd, nowMs),
    difficulty: figureView(state.difficulty, nowMs),
    blockHeight: figureView(state.blockHeight, nowMs),
    blockSubsidyBtc: figureView(state.blockSubsidyBtc, nowMs),
    avgFeesPerBlockBtc: figureView(state.avgFeesPerBlockBtc, nowMs),
    status: state.status,
    sources: state.sources,
    errors: state.errors,
    checkedAt: new Date(state.checkedAtMs).toISOString(),
  };
}

function snapshotView(row: SnapshotRow) {
  return {
    id: row.id,
    fetchedAt: new Date(Number(row.fetched_at)).toISOString(),
    btcPriceUsd: Number(row.btc_price_usd),
    difficulty: Number(row.difficulty),
    blockHeight: Number(row.block_height),
    blockSubsidyBtc: Number(row.block_subsidy_btc),
    avgFeesPerBlockBtc: Number(row.avg_fees_btc),
    source: row.source,
  };
}

const DAY_MS = 86_400_000;

/** GET /api/network (what the calculator uses now, and how old), snapshots for replay, and an admin refresh. */
const networkFeature: FastifyPluginAsync<{ service: NetworkService; now?: () => number }> = async (
  fastify,
  { service, now = Date.now },
) => {
  fastify.get(
    '/api/network',
    { config: { access: 'calculator' }, schema: { response: { 200: stateResponse } } },
    async () => ok(stateView(await service.current(), now())),
  );

  fastify.get<{ Querystring: { from?: string; to?: string; limit: number } }>(
    '/api/network/snapshots',
    {
      config: { access: 'calculator' },
      schema: { querystring: snapshotsQuery, response: { 200: snapshotsResponse } },
    },
    async (request) => {
      const toMs = request.query.to === undefined ? now() : Date.parse(request.query.to);
      const fromMs = request.query.from === undefined ? toMs - 30 * DAY_MS : Date.parse(request.query.from);
      if (!(fromMs < toMs)) throw new AppError('NETWORK_RANGE_INVALID', 400, 'from must be before to');
      const rows = await service.snapshots(fromMs, toMs, request.query.limit);
      return ok({ snapshots: rows.map(snapshotView) });
    },
  );

  fastify.post(
    '/api/network/refresh',
    { config: { access: 'admin' }, schema: { response: { 200: stateResponse } } },
    async () => ok(stateView(await service.refreshNow(), now())),
  );
};

export default networkFeature;
