import type { FastifyPluginAsync } from 'fastify';
import { ok } from '../../http/envelope.js';
import { listMinersResponse } from './schemas.js';
import { listMiners } from './service.js';

/** GET /api/miners: the fleet with each miner's latest sample. */
const minersFeature: FastifyPluginAsync = async (fastify) => {
  fastify.get(
    '/api/miners',
    { onRequest: fastify.authenticate, schema: { response: { 200: listMinersResponse } } },
    async () => ok({ miners: await listMiners(fastify.db) }),
  );
};

export default minersFeature;
