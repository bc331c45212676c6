import type { FastifyPluginAsync } from 'fastify';
import { ok } from '../../http/envelope.js';
import { principalOf } from '../../plugins/access.js';
import { type FleetFilters, filtersOf } from '../miners/index.js';
import { summaryQuery, summaryResponse } from './schemas.js';
import { fleetSummary } from './service.js';

/** GET /api/fleet/summary: hashrate, counts, efficiency and temperatures of the caller's fleet, per site too. */
const fleetFeature: FastifyPluginAsync = async (fastify) => {
  fastify.get<{ Querystring: FleetFilters }>(
    '/api/fleet/summary',
    {
      config: { access: 'fleet' },
      schema: { querystring: summaryQuery, response: { 200: summaryResponse } },
    },
    async (request) => ok(await fleetSummary(fastify.db, principalOf(request), filtersOf(request.query))),
  );
};

export default fleetFeature;
