import type { FastifyPluginAsync } from 'fastify';
import { ok } from '../../http/envelope.js';
import { ACCESS_TOKEN_TTL_S } from '../../plugins/jwt.js';
import { type LoginBody, loginBody, loginResponse } from './schemas.js';
import { authenticateUser } from './service.js';

export { ensureDefaultTenant } from './repository.js';
export { bootstrapOwner } from './service.js';

/** POST /api/auth/login: email + password to a 15-minute bearer token. */
const authFeature: FastifyPluginAsync = async (fastify) => {
  fastify.post<{ Body: LoginBody }>(
    '/api/auth/login',
    { config: { access: 'public' }, schema: { body: loginBody, response: { 200: loginResponse } } },
    async (request) => {
      const user = await authenticateUser(fastify.db, request.body.email, request.body.password);
      const accessToken = fastify.jwt.sign({
        sub: user.id,
        tid: user.tenantId,
        role: user.role,
        cid: user.customerId,
      });
      request.log.info({ userId: user.id }, 'user logged in');
      return ok({ accessToken, tokenType: 'Bearer', expiresIn: ACCESS_TOKEN_TTL_S });
    },
  );
};

export default authFeature;
