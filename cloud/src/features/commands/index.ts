import { createHash } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ok } from '../../http/envelope.js';
import { principalOf } from '../../plugins/access.js';
import { DEFAULT_STALE_AFTER_MS } from '../miners/index.js';
import type { CommandListFilters } from './cursor.js';
import { idempotencyKeyMissing, rateLimited } from './errors.js';
import { type CommandPolicy, DEFAULT_COMMAND_POLICY } from './policy.js';
import { previewCommand } from './preview.js';
import { deleteExpiredIdempotency } from './repository.js';
import {
  approveBody,
  COMMAND_BODY_LIMIT,
  cancelResponse,
  commandIdParams,
  commandListResponse,
  commandResponse,
  createCommandBody,
  createdResponse,
  eventStreamResponse,
  listCommandsQuery,
  previewResponse,
} from './schemas.js';
import {
  approveCommand,
  type CancelDispatched,
  type CommandDeps,
  type CreateCommandBody,
  cancelCommand,
  createCommand,
  expireLateApprovals,
  getCommand,
  getCommandSummary,
  listCommands,
} from './service.js';
import { type OpenStreams, streamCommand } from './sse.js';

export type { CommandActivity, CommandChange, TargetChange } from './events.js';
export {
  commandChannel,
  parseCommandActivity,
  publishCommandChange,
  publishTargetChange,
  publishTargetChanges,
  tenantCommandsChannel,
} from './events.js';
export * from './lifecycle.js';
export { type CommandPolicy, DEFAULT_COMMAND_POLICY } from './policy.js';
export { type CommandPreview, previewCommand } from './preview.js';
export * from './repository.js';
export { COMMAND_BODY_LIMIT, createCommandBody } from './schemas.js';
export {
  type CancelDispatched,
  type CommandDeps,
  type CreateCommandBody,
  canonicalOf,
  createCommand,
  dispatchAllowed,
  expireUnapproved,
} from './service.js';

export interface CommandsOptions {
  /** Derives the idempotency request-hash key; the same on every instance (server.ts passes the JWT secret). */
  secret: string;
  policy?: Partial<CommandPolicy>;
  now?: () => number;
  staleAfterMs?: number;
  /** SSE comment interval (tests shorten it). */
  sseHeartbeatMs?: number;
  /** How often expired idempotency keys and late approvals are swept (default 60 s). */
  housekeepingMs?: number;
}

/** What the engine, the schedule runner and the legacy adapter share with the routes. */
export interface CommandsHandle {
  deps: CommandDeps;
  /** Set by the command engine: sends signed CancelCommands for targets already on their agent. */
  cancelDispatched: CancelDispatched | undefined;
  /** The per-operator and per-tenant limits of creating commands, for every route that creates them. */
  limit: (request: FastifyRequest) => Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    commands: CommandsHandle;
  }
}

const IDEMPOTENCY_HEADER = 'idempotency-key';
const HOUSEKEEPING_MS = 60_000;

function idempotencyKeyOf(request: FastifyRequest): string {
  const value = request.headers[IDEMPOTENCY_HEADER];
  if (typeof value !== 'string' || value === '') throw idempotencyKeyMissing();
  return value;
}

/**
 * Remote commands: POST /api/commands (idempotent, validated against every target's capabilities, policy-checked,
 * rate-limited per operator and tenant), reads, approval by a second operator, cancel, and an SSE stream.
 * Dispatch, agent updates and expiry are the engine's (engine/).
 */
const commandsFeature: FastifyPluginAsync<CommandsOptions> = async (fastify, options) => {
  const policy: CommandPolicy = { ...DEFAULT_COMMAND_POLICY, ...options.policy };
  const deps: CommandDeps = {
    db: fastify.db,
    notifier: fastify.platform.notifier,
    policy,
    requestKey: createHash('sha256').update(`hashinsight:commands:idempotency:${options.secret}`).digest(),
    // The vault registers on its own; read it when used so the order of plugins does not matter.
    get vault() {
      return fastify.hasDecorator('vault') ? fastify.vault : undefined;
    },
    now: options.now ?? Date.now,
    staleAfterMs: options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS,
  };

  const perOperator = fastify.createRateLimit({
    max: policy.operatorPerMinute,
    timeWindow: 60_000,
    keyGenerator: (request) => `commands:operator:${request.principal?.userId ?? request.ip}`,
  });
  const perTenant = fastify.createRateLimit({
    max: policy.tenantPerMinute,
    timeWindow: 60_000,
    keyGenerator: (request) => `commands:tenant:${request.principal?.tenantId ?? request.ip}`,
  });
  const limitCommands = async (request: FastifyRequest) => {
    for (const [limit, scope] of [
      [perOperator, 'operator'],
      [perTenant, 'tenant'],
    ] as const) {
      const verdict = await limit(request);
      if (!verdict.isAllowed && verdict.isExceeded) throw rateLimited(scope, `${verdict.ttlInSeconds} s`);
    }
  };
  const handle: CommandsHandle = { deps, cancelDispatched: undefined, limit: limitCommands };
  fastify.decorate('commands', handle);

  fastify.post<{ Body: CreateCommandBody }>(
    '/api/commands',
    {
      // Every request is audited, refused ones too (a foreign target, a missing capability, a rate limit).
      config: { access: 'hosting', audit: 'attempts' },
      bodyLimit: COMMAND_BODY_LIMIT,
      preHandler: limitCommands,
      schema: {
        headers: {
          type: 'object',
          properties: { [IDEMPOTENCY_HEADER]: { type: 'string', minLength: 1, maxLength: 255 } },
        },
        body: createCommandBody,
        response: { 200: createdResponse, 201: createdResponse },
      },
    },
    async (request, reply) => {
      const created = await createCommand(
        deps,
        principalOf(request),
        request.body,
        idempotencyKeyOf(request),
      );
      return reply.status(created.replayed ? 200 : 201).send(ok(created.command));
    },
  );

  fastify.post<{ Body: CreateCommandBody }>(
    '/api/commands/preview',
    {
      // A read in POST's clothing (the body is a whole command): only the API's general rate limit, no audit row.
      config: { access: 'hosting', audit: 'never' },
      bodyLimit: COMMAND_BODY_LIMIT,
      schema: { body: createCommandBody, response: { 200: previewResponse } },
    },
    async (request) => ok(await previewCommand(deps, principalOf(request), request.body)),
  );

  fastify.get<{ Querystring: CommandListFilters & { limit: number; cursor?: string } }>(
    '/api/commands',
    {
      config: { access: 'hosting' },
      schema: { querystring: listCommandsQuery, response: { 200: commandListResponse } },
    },
    async (request) => {
      const { limit, cursor, status, agentId, minerId, createdBy } = request.query;
      const filters: CommandListFilters = {};
      if (status !== undefined) filters.status = status;
      if (agentId !== undefined && minerId !== undefined) Object.assign(filters, { agentId, minerId });
      if (createdBy !== undefined) filters.createdBy = createdBy;
      return ok(await listCommands(deps, principalOf(request), filters, limit, cursor));
    },
  );

  fastify.get<{ Params: { id: string } }>(
    '/api/commands/:id',
    {
      config: { access: 'hosting' },
      schema: { params: commandIdParams, response: { 200: commandResponse } },
    },
    async (request) => ok(await getCommand(deps, principalOf(request), request.params.id)),
  );

  fastify.post<{ Params: { id: string }; Body: { canonicalHash: string } }>(
    '/api/commands/:id/approve',
    {
      // Refused approvals (self, stale, late) are audited too, not only the granted ones.
      config: { access: 'hosting', audit: 'attempts' },
      schema: { params: commandIdParams, body: approveBody, response: { 200: createdResponse } },
    },
    async (request) =>
      ok(await approveCommand(deps, principalOf(request), request.params.id, request.body.canonicalHash)),
  );

  fastify.post<{ Params: { id: string } }>(
    '/api/commands/:id/cancel',
    { config: { access: 'hosting' }, schema: { params: commandIdParams, response: { 200: cancelResponse } } },
    async (request) =>
      ok(await cancelCommand(deps, principalOf(request), request.params.id, handle.cancelDispatched)),
  );

  // Housekeeping of the API's own rules: idempotency keys live 24 h (a claim replaces an expired key anyway, this
  // only keeps the table small); a command nobody approved within the window expires, its pending logins dropped.
  const housekeeping = setInterval(() => {
    deleteExpiredIdempotency(deps.db, deps.now()).catch((error: unknown) =>
      fastify.log.warn({ err: error }, 'expired idempotency keys not deleted'),
    );
    expireLateApprovals(deps).catch((error: unknown) =>
      fastify.log.warn({ err: error }, 'unapproved commands not expired'),
    );
  }, options.housekeepingMs ?? HOUSEKEEPING_MS);
  housekeeping.unref();
  fastify.addHook('onClose', async () => clearInterval(housekeeping));

  const open: OpenStreams = new Set();
  fastify.addHook('preClose', async () => {
    for (const end of [...open]) end();
  });
  fastify.get<{ Params: { id: string } }>(
    '/api/commands/:id/events',
    {
      config: { access: 'hosting' },
      schema: { params: commandIdParams, response: { 200: eventStreamResponse } },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const { id } = request.params;
      // Not found (or another tenant's) answers as JSON before any stream starts.
      await getCommandSummary(deps, principal, id);
      await streamCommand(reply, open, {
        db: deps.db,
        notifier: deps.notifier,
        tenantId: principal.tenantId,
        commandId: id,
        heartbeatMs: options.sseHeartbeatMs ?? 15_000,
        snapshot: () => getCommandSummary(deps, principal, id),
      });
      return reply;
    },
  );
};

export default fp(commandsFeature, { name: 'commands', dependencies: ['access', 'rate-limit'] });
