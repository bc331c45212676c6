import type { FastifyPluginAsync } from 'fastify';
import { ok } from '../../http/envelope.js';
import { principalOf } from '../../plugins/access.js';
import { listMinersResponse } from './schemas.js';
import { listMiners } from './service.js';

/** GET /api/miners: the caller's fleet (a customer: only its own miners) with each miner's latest sample. */
const minersFeature: FastifyPluginAsync = async (fastify) => {
  fastify.get(
    '/api/miners',
    { config: { access: 'fleet' }, schema: { response: { 200: listMinersResponse } } },
    async (request) => ok({ miners: await listMiners(fastify.db, principalOf(request)) }),
  );
};

export default minersFeature;
