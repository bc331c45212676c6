import type { FastifyPluginAsync } from 'fastify';
import { ok } from '../../http/envelope.js';
import { principalOf } from '../../plugins/access.js';
import {
  agentParams,
  agentResponse,
  type CreateTokenBody,
  createTokenBody,
  createTokenResponse,
  enrollBody,
  enrollResponse,
  listAgentsQuery,
  listAgentsResponse,
  siteParams,
} from './schemas.js';
import {
  createEnrollmentToken,
  DEFAULT_TOKEN_TTL_S,
  type EnrollRequest,
  enrollAgent,
  getAgent,
  listTenantAgents,
  revokeTenantAgent,
} from './service.js';

export { verifyAgentCredentials } from './service.js';

/** Where agents connect when nobody says otherwise: the embedded broker's default address. */
export const DEFAULT_AGENT_BROKER_URL = 'mqtt://127.0.0.1:18830';

export interface AgentsOptions {
  /** Clock for token expiry and stored times (tests inject one). */
  now?: () => number;
  /** The broker URL enrollment hands to agents; a function because the port may be known only after listen. */
  brokerUrl?: () => string;
}

/**
 * Agents: enrollment tokens per site (admin), the public enrollment exchange, the agent list and detail
 * (hosting) and revocation (admin), which also cuts the agent's broker session.
 */
const agentsFeature: FastifyPluginAsync<AgentsOptions> = async (
  fastify,
  { now = Date.now, brokerUrl = () => DEFAULT_AGENT_BROKER_URL },
) => {
  const { db, broker } = fastify;

  fastify.post<{ Params: { siteId: string }; Body: CreateTokenBody | null }>(
    '/api/sites/:siteId/enrollment-tokens',
    {
      config: { access: 'admin' },
      schema: { params: siteParams, body: createTokenBody, response: { 201: createTokenResponse } },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const ttlS = request.body?.expiresInS ?? DEFAULT_TOKEN_TTL_S;
      const created = await createEnrollmentToken(db, principal, request.params.siteId, ttlS, now());
      // Never the token itself in a log line.
      request.log.info({ tokenId: created.id, siteId: created.siteId }, 'enrollment token created');
      reply.code(201);
      return ok({ ...created, expiresAt: new Date(created.expiresAt).toISOString() });
    },
  );

  fastify.post<{ Body: EnrollRequest }>(
    '/api/agents/enroll',
    {
      config: { access: 'public' },
      schema: { body: enrollBody, response: { 201: enrollResponse } },
    },
    async (request, reply) => {
      const enrollment = await enrollAgent(db, broker, request.body, brokerUrl(), now());
      request.log.info(
        { agentId: enrollment.agentId, siteId: enrollment.siteId, hostname: request.body.hostname },
        'agent enrolled',
      );
      reply.code(201);
      return ok(enrollment);
    },
  );

  fastify.get<{ Querystring: { siteId?: string } }>(
    '/api/agents',
    {
      config: { access: 'hosting' },
      schema: { querystring: listAgentsQuery, response: { 200: listAgentsResponse } },
    },
    async (request) =>
      ok({ agents: await listTenantAgents(db, principalOf(request), { siteId: request.query.siteId }) }),
  );

  fastify.get<{ Params: { id: string } }>(
    '/api/agents/:id',
    { config: { access: 'hosting' }, schema: { params: agentParams, response: { 200: agentResponse } } },
    async (request) => ok(await getAgent(db, principalOf(request), request.params.id)),
  );

  fastify.post<{ Params: { id: string } }>(
    '/api/agents/:id/revoke',
    { config: { access: 'admin' }, schema: { params: agentParams, response: { 200: agentResponse } } },
    async (request) => {
      const agent = await revokeTenantAgent(db, broker, principalOf(request), request.params.id, now());
      request.log.warn({ agentId: agent.id }, 'agent revoked');
      return ok(agent);
    },
  );
};

export default agentsFeature;
