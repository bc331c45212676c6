import fastifyJwt from '@fastify/jwt';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { USER_ROLES, type UserRole } from '../db/schema.js';
import { AppError } from '../http/errors.js';
import type { Principal } from './access.js';

/** Access tokens live 15 minutes; refresh tokens come later. */
export const ACCESS_TOKEN_TTL_S = 900;

/** The claims of an access token: sub is the user id, tid its tenant, cid its customer (customers only). */
export interface AccessClaims {
  sub: string;
  tid: string;
  role: UserRole;
  cid: string | null;
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: AccessClaims;
    user: AccessClaims;
  }
}

// Missing, malformed, forged and expired tokens all look the same to the client.
export function authRequired(cause?: unknown): AppError {
  return new AppError('AUTH_REQUIRED', 401, 'A valid access token is required', { cause });
}

const jwtPlugin: FastifyPluginAsync<{ secret: string }> = async (fastify, { secret }) => {
  // The algorithm is pinned on both sides so a token cannot choose how it is checked (alg=none, RS/HS confusion).
  await fastify.register(fastifyJwt, {
    secret,
    sign: { algorithm: 'HS256', expiresIn: ACCESS_TOKEN_TTL_S }, // a number means seconds here
    verify: { algorithms: ['HS256'] },
  });

  fastify.decorate('identify', async (request: FastifyRequest): Promise<Principal> => {
    try {
      await request.jwtVerify();
    } catch (cause) {
      throw authRequired(cause);
    }
    const { sub, tid, role, cid } = request.user;
    // A token signed by this key but missing a claim (e.g. from before tenancy) is not trusted either.
    if (typeof sub !== 'string' || typeof tid !== 'string' || !USER_ROLES.includes(role))
      throw authRequired();
    if ((role === 'customer') !== (typeof cid === 'string')) throw authRequired();
    return { userId: sub, tenantId: tid, role, customerId: role === 'customer' ? cid : null };
  });
};

export default fp(jwtPlugin, { name: 'jwt' });
