import type { FastifyPluginAsync } from 'fastify';
import { ok } from '../../http/envelope.js';
import { principalOf } from '../../plugins/access.js';
import {
  DEFAULT_STALE_AFTER_MS,
  type FleetFilters,
  filtersOf,
  ipLookupFor,
  type MinerParams,
  minerParams,
  summaryCachePrefix,
} from '../miners/index.js';
import { eventsRangeTooLong, rangeInvalid, rangeTooLong } from './errors.js';
import { fleetHistory } from './history.js';
import { minerEvents } from './miner-events.js';
import {
  type EventsQuery,
  eventsQuery,
  eventsResponse,
  type HistoryQuery,
  historyQuery,
  historyResponse,
  summaryQuery,
  summaryResponse,
} from './schemas.js';
import { fleetSummary } from './service.js';

const SUMMARY_FRESH_MS = 5_000;
const SUMMARY_STALE_MS = 30_000;
/** The rollups behind the history move once a minute: a chart polled or reloaded live shares one load. */
const HISTORY_FRESH_MS = 30_000;
const HISTORY_STALE_MS = 120_000;
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const BUCKET_MS = { '5m': 300_000, '1h': 3_600_000, '1d': DAY_MS } as const;
/** Points one history answer may hold: a week at 5 min, ~3 months hourly, ~5 years daily. */
const MAX_HISTORY_POINTS = 2016;
/** Raw samples, which events are derived from, are kept 7 days by default. */
const MAX_EVENTS_RANGE_DAYS = 7;

/** [from, to) of a query, `defaultMs` long before `to` (default now, on the minute so answers share a cache). */
function rangeOf(query: { from?: string; to?: string }, now: number, defaultMs: number, round = false) {
  const toMs =
    query.to === undefined ? (round ? Math.floor(now / MINUTE_MS) * MINUTE_MS : now) : Date.parse(query.to);
  const fromMs = query.from === undefined ? toMs - defaultMs : Date.parse(query.from);
  if (!(fromMs < toMs)) throw rangeInvalid();
  return { fromMs, toMs };
}

/**
 * The fleet as a whole: GET /api/fleet/summary (hashrate, counts, efficiency and temperatures, per site too),
 * GET /api/fleet/history (the same over time) and GET /api/miners/:agentId/:minerId/events (one miner's story).
 */
const fleetFeature: FastifyPluginAsync<{ now?: () => number; staleAfterMs?: number }> = async (
  fastify,
  { now = Date.now, staleAfterMs = DEFAULT_STALE_AFTER_MS },
) => {
  fastify.get<{ Querystring: FleetFilters }>(
    '/api/fleet/summary',
    {
      config: { access: 'fleet' },
      schema: { querystring: summaryQuery, response: { 200: summaryResponse } },
    },
    async (request) => {
      const principal = principalOf(request);
      const filters = filtersOf(request.query);
      // Fresh for a few seconds, then served stale while one load refreshes it: dashboards poll this, and
      // summing 10,000 miners' latest samples on every poll would cost far more than the staleness.
      const key = `${summaryCachePrefix(principal.tenantId)}${principal.customerId ?? '*'}:${JSON.stringify(filters)}`;
      // q may name an address or subnet, which only staff resolve (miners/ip.ts).
      const ipLookup = await ipLookupFor(fastify.vault, principal, filters.q);
      return ok(
        await fastify.platform.cache.cached(key, SUMMARY_FRESH_MS, SUMMARY_STALE_MS, () =>
          fleetSummary(fastify.db, principal, filters, now() - staleAfterMs, ipLookup),
        ),
      );
    },
  );

  fastify.get<{ Querystring: HistoryQuery }>(
    '/api/fleet/history',
    {
      config: { access: 'fleet' },
      schema: { querystring: historyQuery, response: { 200: historyResponse } },
    },
    async (request) => {
      const principal = principalOf(request);
      const { resolution, siteId, customerId } = request.query;
      const { fromMs, toMs } = rangeOf(request.query, now(), DAY_MS, true);
      if ((toMs - fromMs) / BUCKET_MS[resolution] > MAX_HISTORY_POINTS)
        throw rangeTooLong(MAX_HISTORY_POINTS);
      // Summing every miner's rollups (10,000 miners x 288 buckets a day) is heavy: cached per scope and question,
      // under the summary's prefix so that an assignment change drops it too.
      const scope = `${principal.role === 'customer' ? principal.customerId : '*'}:${siteId ?? ''}:${customerId ?? ''}`;
      const key = `${summaryCachePrefix(principal.tenantId)}history:${scope}:${resolution}:${fromMs}:${toMs}`;
      const points = await fastify.platform.cache.cached(key, HISTORY_FRESH_MS, HISTORY_STALE_MS, () =>
        fleetHistory(fastify.db, principal, { siteId, customerId }, resolution, fromMs, toMs),
      );
      return ok({
        resolution,
        from: new Date(fromMs).toISOString(),
        to: new Date(toMs).toISOString(),
        points,
      });
    },
  );

  fastify.get<{ Params: MinerParams; Querystring: EventsQuery }>(
    '/api/miners/:agentId/:minerId/events',
    {
      config: { access: 'fleet' },
      schema: { params: minerParams, querystring: eventsQuery, response: { 200: eventsResponse } },
    },
    async (request) => {
      const clock = now();
      const { fromMs, toMs } = rangeOf(request.query, clock, DAY_MS);
      if (toMs - fromMs > MAX_EVENTS_RANGE_DAYS * DAY_MS) throw eventsRangeTooLong(MAX_EVENTS_RANGE_DAYS);
      return ok(
        await minerEvents(fastify.db, principalOf(request), request.params, {
          fromMs,
          toMs,
          limit: request.query.limit,
          staleBefore: clock - staleAfterMs,
        }),
      );
    },
  );
};

export default fleetFeature;
