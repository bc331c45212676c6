import { createHash } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { ok } from '../../http/envelope.js';
import { AppError } from '../../http/errors.js';
import { principalOf } from '../../plugins/access.js';
import { type CreateCommandBody, createCommand } from '../commands/index.js';
import { legacyResult, mapLegacy } from './mapping.js';
import {
  type LegacyCreateBody,
  legacyCreateBody,
  legacyIdParams,
  legacyListQuery,
  legacyListResponse,
  legacyResponse,
} from './schemas.js';

const notFound = () => new AppError('REMOTE_NOT_FOUND', 404, 'Command not found');

/** The legacy name of a stored command, or its own type when it has none. */
function legacyName(type: string, params: string): string {
  if (type === 'power_mode')
    return (JSON.parse(params) as { mode?: string }).mode === 'sleep' ? 'disable' : type;
  return { wake: 'enable', restart_mining: 'restart', reboot: 'reboot', set_pools: 'set_pool' }[type] ?? type;
}

interface Row {
  id: string;
  type: string;
  params: string;
  created_at: number;
  miner_id: string;
  state: string;
  reason: string;
  error_code: string;
}

const view = (row: Row) => ({
  id: row.id,
  miner_id: row.miner_id,
  command: legacyName(row.type, row.params),
  ...legacyResult(row.state, row.reason, row.error_code),
  created_at: new Date(Number(row.created_at)).toISOString(),
});

/**
 * The legacy remote-control adapter (/api/remote/*): one miner per call, the old command names and result codes,
 * every call a real command of the command service (same validation, approval, signing, audit). The mapping is
 * documented in schemas.ts and the OpenAPI schemas.
 */
const remoteFeature: FastifyPluginAsync = async (fastify) => {
  const { db } = fastify;
  const rows = (tenantId: string) =>
    db
      .selectFrom('command')
      .innerJoin('command_target', 'command_target.command_id', 'command.id')
      .select([
        'command.id',
        'command.type',
        'command.params',
        'command.created_at',
        'command_target.miner_id',
        'command_target.state',
        'command_target.reason',
        'command_target.error_code',
      ])
      .where('command.tenant_id', '=', tenantId);

  fastify.post<{ Body: LegacyCreateBody }>(
    '/api/remote/commands',
    {
      config: { access: 'hosting', audit: 'attempts' },
      // The same limits as POST /api/commands: the old style is no way around them.
      preHandler: fastify.commands.limit,
      schema: { body: legacyCreateBody, response: { 201: legacyResponse } },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const mapped = mapLegacy(request.body.command, request.body.params ?? {});
      // Old clients send no Idempotency-Key, and retry: the same call by the same operator within the same minute
      // is the same command (a retried reboot never reboots twice). A key they do send is honoured as on
      // /api/commands.
      const header = request.headers['idempotency-key'];
      const key =
        typeof header === 'string' && header !== ''
          ? header
          : `remote:${legacyCallKey(principal.userId, request.body, fastify.commands.deps.now())}`;
      const body = {
        ...mapped,
        targets: { minerIds: [request.body.miner_id] },
      } as unknown as CreateCommandBody;
      const created = await createCommand(fastify.commands.deps, principal, body, key);
      if (fastify.hasDecorator('commandEngine')) fastify.commandEngine.kick();
      const row = await rows(principal.tenantId)
        .where('command.id', '=', created.command.id)
        .executeTakeFirst();
      if (row === undefined) throw notFound();
      return reply.status(201).send(ok(view(row)));
    },
  );

  fastify.get<{ Params: { id: string } }>(
    '/api/remote/commands/:id',
    { config: { access: 'hosting' }, schema: { params: legacyIdParams, response: { 200: legacyResponse } } },
    async (request) => {
      const row = await rows(principalOf(request).tenantId)
        .where('command.id', '=', request.params.id)
        .orderBy('command_target.miner_id')
        .executeTakeFirst();
      if (row === undefined) throw notFound();
      return ok(view(row));
    },
  );

  fastify.get<{ Querystring: { miner_id: string } }>(
    '/api/remote/commands',
    {
      config: { access: 'hosting' },
      schema: { querystring: legacyListQuery, response: { 200: legacyListResponse } },
    },
    async (request) => {
      const list = await rows(principalOf(request).tenantId)
        .where('command_target.miner_id', '=', request.query.miner_id)
        .orderBy('command.id', 'desc')
        .limit(100)
        .execute();
      return ok({ commands: list.map(view) });
    },
  );
};

export default fp(remoteFeature, { name: 'remote', dependencies: ['commands'] });

/** A legacy call's identity for idempotency: who, what, on which miner, in which minute. */
function legacyCallKey(userId: string, body: LegacyCreateBody, nowMs: number): string {
  const minute = Math.floor(nowMs / 60_000);
  return createHash('sha256')
    .update(JSON.stringify([userId, body.miner_id, body.command, body.params ?? {}, minute]))
    .digest('base64url');
}
