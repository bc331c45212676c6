import fastifyJwt from '@fastify/jwt';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../http/errors.js';

/** Access tokens live 15 minutes; refresh tokens come later. */
export const ACCESS_TOKEN_TTL_S = 900;

/** The claims of an access token: sub is the user id. */
export interface AccessClaims {
  sub: string;
  role: string;
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: AccessClaims;
    user: AccessClaims;
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** preHandler that lets a request through only with a valid access token (401 AUTH_REQUIRED otherwise). */
    authenticate: (request: FastifyRequest) => Promise<void>;
  }
}

// Missing, malformed, forged and expired tokens all look the same to the client.
function authRequired(cause?: unknown): AppError {
  return new AppError('AUTH_REQUIRED', 401, 'A valid access token is required', { cause });
}

const jwtPlugin: FastifyPluginAsync<{ secret: string }> = async (fastify, { secret }) => {
  // The algorithm is pinned on both sides so a token cannot choose how it is checked (alg=none, RS/HS confusion).
  await fastify.register(fastifyJwt, {
    secret,
    sign: { algorithm: 'HS256', expiresIn: ACCESS_TOKEN_TTL_S }, // a number means seconds here
    verify: { algorithms: ['HS256'] },
  });

  fastify.decorate('authenticate', async (request: FastifyRequest) => {
    try {
      await request.jwtVerify();
    } catch (cause) {
      throw authRequired(cause);
    }
    const { sub, role } = request.user;
    if (typeof sub !== 'string' || typeof role !== 'string') throw authRequired();
  });
};

export default fp(jwtPlugin, { name: 'jwt' });
