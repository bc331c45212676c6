import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Permission, Principal } from '../../plugins/access.js';
import { authRequired, verifiedAccessClaims } from '../../plugins/jwt.js';
import { noteAudit } from '../audit/index.js';
import { apiKeyPrincipal } from './api-keys.js';
import { sessionPrincipal } from './sessions.js';
import { API_KEY_PREFIX } from './tokens.js';

/** How the caller proved who it is: a login session (access token) or an API key. */
export type Credential = { kind: 'session'; sessionId: string } | { kind: 'api_key'; apiKeyId: string };

/** A registered route and the permission it declares (undefined for the documentation routes). */
export interface RouteAccess {
  method: string;
  url: string;
  access: Permission | undefined;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set with the principal by `fastify.identify`. */
    credential: Credential | null;
  }
  interface FastifyInstance {
    /** Every route registered after this plugin, with its declared permission (the access-matrix test walks it). */
    routeAccess: RouteAccess[];
  }
}

/**
 * `fastify.identify`: `Authorization: Bearer <access token>` (HS256 JWT whose session must still stand) or
 * `Authorization: ApiKey hik_…` (also accepted as `Bearer hik_…`, for clients that only know bearer tokens).
 */
const identifyPlugin: FastifyPluginAsync = async (fastify) => {
  fastify.decorateRequest('credential', null);
  const routes: RouteAccess[] = [];
  fastify.decorate('routeAccess', routes);
  fastify.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) routes.push({ method, url: route.url, access: route.config?.access });
  });

  fastify.decorate('identify', async (request: FastifyRequest): Promise<Principal> => {
    const header = request.headers.authorization;
    if (typeof header !== 'string') throw authRequired();
    const space = header.indexOf(' ');
    const scheme = header.slice(0, space).toLowerCase();
    const credential = header.slice(space + 1).trim();
    if (
      space > 0 &&
      (scheme === 'apikey' || (scheme === 'bearer' && credential.startsWith(API_KEY_PREFIX)))
    ) {
      const { principal, apiKeyId } = await apiKeyPrincipal(fastify.db, credential);
      request.credential = { kind: 'api_key', apiKeyId };
      noteAudit(request, { actorKind: 'api_key', actorId: apiKeyId });
      return principal;
    }
    const claims = await verifiedAccessClaims(request);
    const principal = await sessionPrincipal(fastify.db, claims, Date.now());
    request.credential = { kind: 'session', sessionId: claims.sid };
    return principal;
  });
};

export default fp(identifyPlugin, { name: 'identify', dependencies: ['jwt', 'db', 'audit'] });
