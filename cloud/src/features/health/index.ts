import type { FastifyPluginAsync } from 'fastify';
import { sql } from 'kysely';
import { ok, successSchema } from '../../http/envelope.js';
import { AppError } from '../../http/errors.js';
import { downDependencies } from './readiness.js';

const healthResponse = successSchema({
  type: 'object',
  properties: {
    status: { type: 'string', const: 'ok' },
    db: { type: 'string', const: 'ok' },
    broker: { type: 'string', const: 'ok' },
  },
});

const readyResponse = successSchema({
  type: 'object',
  properties: {
    status: { type: 'string', const: 'ready' },
    db: { type: 'string', const: 'ok' },
    broker: { type: 'string', const: 'ok' },
    cache: { type: 'string', const: 'ok' },
  },
});

/**
 * GET /healthz (no auth): 200 when the database answers and the broker runs, 503 otherwise.
 * GET /readyz (no auth): whether this instance should get traffic: database, broker and cache (Redis when
 * configured) all answer; 503 HEALTH_NOT_READY naming each one that is down. While the server shuts down,
 * Fastify answers 503 to both, so a load balancer drains the instance.
 */
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

  fastify.get(
    '/readyz',
    { config: { access: 'public' }, schema: { response: { 200: readyResponse } } },
    async (request) => {
      const down = await downDependencies(fastify);
      if (down.length > 0) {
        for (const { name, error } of down) request.log.warn({ err: error, dependency: name }, 'not ready');
        const names = down.map(({ name }) => name).join(', ');
        throw new AppError('HEALTH_NOT_READY', 503, `Not ready: ${names} down`);
      }
      return ok({ status: 'ready', db: 'ok', broker: 'ok', cache: 'ok' } as const);
    },
  );
};

export default healthFeature;
