import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../../http/errors.js';
import { isLoopbackHost } from '../../lib/loopback.js';
import { createMetrics, type IngestCounters } from './registry.js';

export type { IngestCounters } from './registry.js';

export interface MetricsOptions {
  /** When set, /metrics needs `Authorization: Bearer <token>`; when unset, only loopback clients get it. */
  token?: string | undefined;
  ingest?: IngestCounters | undefined;
}

function tokenMatches(request: FastifyRequest, token: string): boolean {
  const header = request.headers.authorization ?? '';
  const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * GET /metrics in the Prometheus text format, and the hooks that time every request. Registered before the
 * features (it is a fastify-plugin, so its hooks see every route). Access: with HASHINSIGHT_METRICS_TOKEN set,
 * the bearer token and nothing else (a reverse proxy on the same box would otherwise make everyone loopback);
 * without it, loopback clients only.
 */
const metricsFeature: FastifyPluginAsync<MetricsOptions> = async (fastify, { token, ingest }) => {
  const { registry, requests, duration } = createMetrics(fastify, ingest);

  fastify.addHook('onResponse', async (request, reply) => {
    // The route pattern, never the raw URL: ids in paths would make one series per object.
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status_code: String(reply.statusCode),
    };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
  });

  fastify.get(
    '/metrics',
    {
      config: { access: 'public' },
      schema: { hide: true, response: { 200: { type: 'string' } } },
    },
    async (request, reply) => {
      if (token !== undefined) {
        if (!tokenMatches(request, token)) {
          throw new AppError('METRICS_UNAUTHORIZED', 401, 'A valid metrics token is required');
        }
      } else if (!isLoopbackHost(request.socket.remoteAddress ?? '')) {
        throw new AppError(
          'METRICS_FORBIDDEN',
          403,
          'Metrics are served to loopback clients only unless HASHINSIGHT_METRICS_TOKEN is set',
        );
      }
      reply.header('content-type', registry.contentType);
      return registry.metrics();
    },
  );
};

export default fp(metricsFeature, { name: 'metrics', dependencies: ['platform', 'db', 'broker'] });
