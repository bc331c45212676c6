import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyPluginAsync, FastifySchema } from 'fastify';
import fp from 'fastify-plugin';

/** Where the UI is served; the JSON document is at `${DOCS_PREFIX}/json`. Public, like the access plugin says. */
export const DOCS_PREFIX = '/docs';

/**
 * The OpenAPI 3 document of every route, built from the JSON schemas the routes already declare. Registered
 * before the features so it sees each route as it is added. A route's `config.access` becomes its security
 * requirement (public routes need none) and its first path segment after /api its tag.
 */
const openapiPlugin: FastifyPluginAsync<{ version?: string }> = async (fastify, { version = '0.1.0' }) => {
  await fastify.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'HashInsight cloud API',
        description:
          'Every response is an envelope: `{ success: true, data, timestamp }` or `{ success: false, error, code, timestamp }`. ' +
          'Objects of another tenant answer exactly like missing ones (404).',
        version,
      },
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description: 'Access token from POST /api/auth/login (or an API key, where enabled).',
          },
        },
      },
    },
    transform: ({ schema, url, route }) => {
      const access = route.config?.access;
      const tag = /^\/api\/([^/]+)/.exec(url)?.[1] ?? 'operations';
      const documented: FastifySchema & Record<string, unknown> = {
        ...(schema ?? {}),
        tags: [tag],
        ...(access === undefined || access === 'public' ? {} : { security: [{ bearerAuth: [] }] }),
        ...(access === undefined ? {} : { description: `Permission: ${access}.` }),
      };
      return { schema: documented, url };
    },
  });
  await fastify.register(fastifySwaggerUi, { routePrefix: DOCS_PREFIX });
};

export default fp(openapiPlugin, { name: 'openapi' });
