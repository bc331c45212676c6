import type { FastifyPluginAsync } from 'fastify';
import { sql } from 'kysely';
import { ok, successSchema } from '../../http/envelope.js';
import { AppError } from '../../http/errors.js';

const healthResponse = successSchema({
  type: 'object',
  properties: {
    status: { type: 'string', const: 'ok' },
    db: { type: 'string', const: 'ok' },
    broker: { type: 'string', const: 'ok' },
  },
});

/** GET /healthz (no auth): 200 when the database answers and the broker runs, 503 otherwise. */
const healthFeature: FastifyPluginAsync = async (fastify) => {
  fastify.get(
    '/healthz',
    { config: { access: 'public' }, schema: { response: { 200: healthResponse } } },
    async (request) => {
      try {
        await sql`select 1`.execute(fastify.db);
      } catch (error) {
        request.log.error({ err: error }, 'health check: database query failed');
        throw new AppError('HEALTH_DB_UNAVAILABLE', 503, 'Database unavailable');
      }
      if (!fastify.broker.isRunning())
        throw new AppError('HEALTH_BROKER_UNAVAILABLE', 503, 'Broker unavailable');
      return ok({ status: 'ok', db: 'ok', broker: 'ok' } as const);
    },
  );
};

export default healthFeature;
