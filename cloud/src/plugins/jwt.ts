import fastifyJwt from '@fastify/jwt';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { USER_ROLES, type UserRole } from '../db/schema.js';
import { AppError } from '../http/errors.js';

/** Access tokens live 15 minutes; the refresh token (features/auth) gets a new one. */
export const ACCESS_TOKEN_TTL_S = 900;

/**
 * The claims of an access token: sub is the user id, tid its tenant, cid its customer (customers only), sid
 * the login session (revoking it stops the token).
 */
export interface AccessClaims {
  sub: string;
  tid: string;
  role: UserRole;
  cid: string | null;
  sid: string;
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
};

/**
 * The claims of the request's bearer access token, verified (signature, algorithm, expiry) and complete; throws
 * 401 AUTH_REQUIRED otherwise. Whether its session still stands is checked by `fastify.identify` (features/auth).
 */
export async function verifiedAccessClaims(request: FastifyRequest): Promise<AccessClaims> {
  try {
    await request.jwtVerify();
  } catch (cause) {
    throw authRequired(cause);
  }
  const { sub, tid, role, cid, sid } = request.user;
  // A token signed by this key but missing a claim (e.g. from before tenancy or sessions) is not trusted either.
  if (typeof sub !== 'string' || typeof tid !== 'string' || typeof sid !== 'string') throw authRequired();
  if (!USER_ROLES.includes(role)) throw authRequired();
  if ((role === 'customer') !== (typeof cid === 'string')) throw authRequired();
  return { sub, tid, role, cid: role === 'customer' ? cid : null, sid };
}

export default fp(jwtPlugin, { name: 'jwt' });
