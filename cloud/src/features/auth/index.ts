import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { ok } from '../../http/envelope.js';
import { principalOf } from '../../plugins/access.js';
import { ACCESS_TOKEN_TTL_S } from '../../plugins/jwt.js';
import { noteAudit } from '../audit/index.js';
import { createApiKey, getApiKey, listApiKeys, revokeApiKey } from './api-keys.js';
import { invalidCredentials, sessionRequired } from './errors.js';
import {
  apiKeyListResponse,
  apiKeyResponse,
  type CreateApiKeyBody,
  createApiKeyBody,
  createdApiKeyResponse,
  type IdParams,
  idParams,
  type LoginBody,
  loginBody,
  logoutResponse,
  type PasswordBody,
  passwordBody,
  passwordResponse,
  type RefreshBody,
  refreshBody,
  tokensResponse,
} from './schemas.js';
import { attemptLogin, changePassword } from './service.js';
import {
  type IssuedRefresh,
  openSession,
  revokeSession,
  rotateRefreshToken,
  type SessionUser,
} from './sessions.js';

export {
  type ApiKeyView,
  checkRoleCustomer,
  createCustomerApiKey,
  listCustomerKeys,
  MAX_ACTIVE_CUSTOMER_KEYS,
  revokeCustomerKey,
} from './api-keys.js';
export { createTenantCommand } from './cli.js';
export { sessionRequired } from './errors.js';
export { type Credential, default as identifyPlugin, type RouteAccess } from './identify.js';
export { generatePassword, hashPassword } from './password.js';
export { ensureDefaultTenant, insertUser, revokeCustomerKeysCreatedBy } from './repository.js';
export { bootstrapOwner } from './service.js';
export { revokeUserSessions } from './sessions.js';

/** The session of a request authenticated by an access token; API keys have none. */
function sessionIdOf(request: FastifyRequest): string {
  if (request.credential?.kind !== 'session') throw sessionRequired();
  return request.credential.sessionId;
}

/**
 * Login, refresh, logout and password change (sessions with rotating refresh tokens), and API keys for machine
 * clients (admin).
 */
const authFeature: FastifyPluginAsync = async (fastify) => {
  const tokens = (user: SessionUser, issued: IssuedRefresh) => ({
    accessToken: fastify.jwt.sign({
      sub: user.id,
      tid: user.tenantId,
      role: user.role,
      cid: user.customerId,
      sid: issued.sessionId,
    }),
    tokenType: 'Bearer' as const,
    expiresIn: ACCESS_TOKEN_TTL_S,
    refreshToken: issued.refreshToken,
    refreshExpiresIn: issued.refreshExpiresIn,
  });

  fastify.post<{ Body: LoginBody }>(
    '/api/auth/login',
    {
      config: { access: 'public', audit: 'attempts' },
      schema: { body: loginBody, response: { 200: tokensResponse } },
    },
    async (request) => {
      const email = request.body.email.trim().toLowerCase();
      const outcome = await attemptLogin(fastify.db, email, request.body.password);
      if (!outcome.ok) {
        noteAudit(request, { email, tenantId: outcome.tenantId, targetId: outcome.userId });
        throw invalidCredentials();
      }
      const { user } = outcome;
      const issued = await openSession(fastify.db, user, Date.now());
      noteAudit(request, {
        email,
        tenantId: user.tenantId,
        actorKind: 'user',
        actorId: user.id,
        targetId: issued.sessionId,
      });
      request.log.info({ userId: user.id, sessionId: issued.sessionId }, 'user logged in');
      return ok(tokens(user, issued));
    },
  );

  fastify.post<{ Body: RefreshBody }>(
    '/api/auth/refresh',
    {
      config: { access: 'public', audit: 'attempts' },
      schema: { body: refreshBody, response: { 200: tokensResponse } },
    },
    async (request) => {
      const rotated = await rotateRefreshToken(fastify.db, request.body.refreshToken, Date.now());
      noteAudit(request, {
        tenantId: rotated.user.tenantId,
        actorKind: 'user',
        actorId: rotated.user.id,
        targetId: rotated.sessionId,
      });
      return ok(tokens(rotated.user, rotated));
    },
  );

  // No body: the session is the one of the access token.
  fastify.post(
    '/api/auth/logout',
    { config: { access: 'calculator' }, schema: { response: { 200: logoutResponse } } },
    async (request) => {
      const sessionId = sessionIdOf(request);
      await revokeSession(fastify.db, sessionId, 'logout', Date.now());
      noteAudit(request, { targetId: sessionId });
      return ok({ loggedOut: true as const });
    },
  );

  fastify.post<{ Body: PasswordBody }>(
    '/api/auth/password',
    { config: { access: 'calculator' }, schema: { body: passwordBody, response: { 200: passwordResponse } } },
    async (request) => {
      sessionIdOf(request);
      const { userId } = principalOf(request);
      noteAudit(request, { targetId: userId });
      const result = await changePassword(
        fastify.db,
        userId,
        { current: request.body.currentPassword, next: request.body.newPassword },
        Date.now(),
      );
      return ok(result);
    },
  );

  fastify.post<{ Body: CreateApiKeyBody }>(
    '/api/api-keys',
    {
      config: { access: 'admin' },
      schema: { body: createApiKeyBody, response: { 201: createdApiKeyResponse } },
    },
    async (request, reply) => {
      const { name, role, customerId } = request.body;
      const created = await createApiKey(
        fastify.db,
        principalOf(request),
        { name, role, customerId: customerId ?? null },
        Date.now(),
      );
      return reply.status(201).send(ok(created));
    },
  );

  fastify.get(
    '/api/api-keys',
    { config: { access: 'admin' }, schema: { response: { 200: apiKeyListResponse } } },
    async (request) => ok({ apiKeys: await listApiKeys(fastify.db, principalOf(request)) }),
  );

  fastify.get<{ Params: IdParams }>(
    '/api/api-keys/:id',
    { config: { access: 'admin' }, schema: { params: idParams, response: { 200: apiKeyResponse } } },
    async (request) => ok(await getApiKey(fastify.db, principalOf(request), request.params.id)),
  );

  fastify.delete<{ Params: IdParams }>(
    '/api/api-keys/:id',
    { config: { access: 'admin' }, schema: { params: idParams, response: { 200: apiKeyResponse } } },
    async (request) =>
      ok(await revokeApiKey(fastify.db, principalOf(request), request.params.id, Date.now())),
  );
};

export default authFeature;
