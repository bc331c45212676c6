import type { FastifyPluginAsync } from 'fastify';
import { ok } from '../../http/envelope.js';
import { principalOf } from '../../plugins/access.js';
import {
  DEFAULT_STALE_AFTER_MS,
  type FleetFilters,
  filtersOf,
  ipLookupFor,
  summaryCachePrefix,
} from '../miners/index.js';
import { summaryQuery, summaryResponse } from './schemas.js';
import { fleetSummary } from './service.js';

const SUMMARY_FRESH_MS = 5_000;
const SUMMARY_STALE_MS = 30_000;

/** GET /api/fleet/summary: hashrate, counts, efficiency and temperatures of the caller's fleet, per site too. */
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
};

export default fleetFeature;
