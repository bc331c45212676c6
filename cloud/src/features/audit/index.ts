import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { AuditLogTable } from '../../db/schema.js';
import { ok } from '../../http/envelope.js';
import { AppError } from '../../http/errors.js';
import { principalOf } from '../../plugins/access.js';
import { appendAuditRow, findTenantAuditRow, listTenantAuditRows } from './repository.js';
import {
  auditEntryResponse,
  auditSeqParams,
  type ListAuditQuery,
  listAuditQuery,
  listAuditResponse,
} from './schemas.js';

export { auditVerifyCommand } from './cli.js';
export { appendAuditRow } from './repository.js';
export { type ChainVerdict, verifyAuditChain } from './service.js';

/** What a handler knows better than the generic hook (a login's email and user, the id it created). */
export interface AuditNote {
  actorKind?: 'user' | 'api_key' | 'anonymous';
  actorId?: string | null;
  tenantId?: string | null;
  targetId?: string | null;
  email?: string | null;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * 'attempts': audit this route's failures too (login, refresh), not only its successes. 'never': a POST that
     * changes nothing (a command preview) is a read and, like reads, not audited.
     */
    audit?: 'attempts' | 'never';
  }
  interface FastifyRequest {
    auditNote: AuditNote | null;
    /** Set once the onSend hook committed this request's row (so the onResponse hook does not add another). */
    auditWrittenBeforeResponse: boolean;
  }
  interface FastifyInstance {
    /** Resolves once the rows of failed attempts answered so far are written (shutdown, tests). */
    auditWritten(): Promise<void>;
  }
}

/** Adds to what the audit row of this request will say. */
export function noteAudit(request: FastifyRequest, note: AuditNote): void {
  request.auditNote = { ...request.auditNote, ...note };
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function firstParam(params: unknown): string | null {
  if (typeof params !== 'object' || params === null) return null;
  const values = Object.entries(params).filter(([, value]) => typeof value === 'string');
  const id = values.find(([key]) => key === 'id') ?? values[0];
  return id === undefined ? null : String(id[1]).slice(0, 200);
}

function rowOf(
  request: FastifyRequest,
  reply: FastifyReply,
  now: number,
): Omit<AuditLogTable, 'seq' | 'prev_hash' | 'hash'> {
  const note = request.auditNote ?? {};
  const principal = request.principal;
  return {
    at: now,
    tenant_id: note.tenantId ?? principal?.tenantId ?? null,
    actor_kind: note.actorKind ?? (principal === null ? 'anonymous' : 'user'),
    actor_id: note.actorId ?? principal?.userId ?? null,
    email: note.email ?? null,
    method: request.method,
    route: request.routeOptions.url ?? request.url.split('?')[0] ?? '',
    target_id: note.targetId ?? firstParam(request.params),
    status_code: reply.statusCode,
    outcome: reply.statusCode < 400 ? 'success' : 'failure',
    request_id: String(request.id),
    ip: request.ip,
  };
}

/** The id a create returned (`data.id` of the success envelope), when the handler did not name a target. */
function createdId(payload: unknown): string | null {
  if (typeof payload !== 'string' || payload.length > 65_536) return null;
  try {
    const id = (JSON.parse(payload) as { data?: { id?: unknown } }).data?.id;
    return typeof id === 'string' ? id.slice(0, 200) : null;
  } catch {
    return null;
  }
}

/**
 * The audit log: one hash-chained row per successful state-changing call of ANY route (an onSend hook at the
 * root, so routes of every feature are covered without doing anything; the answer waits for the row), plus every
 * attempt on routes that ask for it (login; failed attempts are written after their answer). Reads are not audited. GET /api/audit lists the caller's tenant's rows.
 */
const auditFeature: FastifyPluginAsync<{ now?: () => number }> = async (fastify, options) => {
  const now = options.now ?? Date.now;
  const pending = new Set<Promise<void>>();
  fastify.decorateRequest('auditNote', null);
  fastify.decorateRequest('auditWrittenBeforeResponse', false);
  fastify.decorate('auditWritten', async () => {
    while (pending.size > 0) await Promise.allSettled([...pending]);
  });

  const audited = (request: FastifyRequest, reply: FastifyReply) => {
    const config = request.routeOptions.config;
    // Unmatched URLs (404 handler) and the documentation routes declare no access: nothing happened.
    if (config?.access === undefined || READ_METHODS.has(request.method) || config.audit === 'never')
      return false;
    return reply.statusCode < 400 || config.audit === 'attempts';
  };

  fastify.addHook('onSend', async (request, reply, payload) => {
    if (!audited(request, reply)) return payload;
    if (request.auditNote?.targetId === undefined && firstParam(request.params) === null) {
      const id = createdId(payload);
      if (id !== null) noteAudit(request, { targetId: id });
    }
    // A failed attempt (login) changed nothing: its row is written after the response, as before.
    if (reply.statusCode >= 400) return payload;
    // A success is answered only once its row is committed, so no crash after the answer can lose the row. The
    // change itself is committed by now: when the row cannot be written, the client gets a 500 (it must not
    // believe the call was recorded) and the failure is logged at error; the change stays.
    try {
      await appendAuditRow(fastify.db, rowOf(request, reply, now()));
    } catch (error) {
      request.log.error({ err: error }, 'audit row could not be written; the change itself was committed');
      throw new AppError('AUDIT_WRITE_FAILED', 500, 'The change was made but could not be audited');
    }
    request.auditWrittenBeforeResponse = true;
    return payload;
  });

  fastify.addHook('onResponse', async (request, reply) => {
    if (request.auditWrittenBeforeResponse || !audited(request, reply) || reply.statusCode < 400) return;
    const write = appendAuditRow(fastify.db, rowOf(request, reply, now())).then(
      () => undefined,
      (error: unknown) => request.log.error({ err: error }, 'audit row could not be written'),
    );
    pending.add(write);
    void write.finally(() => pending.delete(write));
  });

  fastify.addHook('onClose', async () => fastify.auditWritten());

  fastify.get<{ Querystring: ListAuditQuery }>(
    '/api/audit',
    {
      config: { access: 'admin' },
      schema: { querystring: listAuditQuery, response: { 200: listAuditResponse } },
    },
    async (request) => {
      const { tenantId } = principalOf(request);
      const { limit } = request.query;
      const rows = await listTenantAuditRows(fastify.db, tenantId, {
        beforeSeq: request.query.cursor === undefined ? undefined : Number(request.query.cursor),
        limit: limit + 1,
      });
      const entries = rows.slice(0, limit).map(entryOf);
      const nextCursor = rows.length > limit ? String(entries[entries.length - 1]?.seq) : null;
      return ok({ entries, nextCursor });
    },
  );

  fastify.get<{ Params: { seq: string } }>(
    '/api/audit/:seq',
    {
      config: { access: 'admin' },
      schema: { params: auditSeqParams, response: { 200: auditEntryResponse } },
    },
    async (request) => {
      const row = await findTenantAuditRow(
        fastify.db,
        principalOf(request).tenantId,
        Number(request.params.seq),
      );
      // Another tenant's row is exactly as missing as one that does not exist.
      if (row === undefined) throw new AppError('AUDIT_NOT_FOUND', 404, 'Audit entry not found');
      return ok(entryOf(row));
    },
  );
};

function entryOf(row: AuditLogTable) {
  return {
    seq: Number(row.seq),
    at: new Date(Number(row.at)).toISOString(),
    actorKind: row.actor_kind,
    actorId: row.actor_id,
    email: row.email,
    method: row.method,
    route: row.route,
    targetId: row.target_id,
    statusCode: row.status_code,
    outcome: row.outcome,
    requestId: row.request_id,
    ip: row.ip,
    hash: row.hash,
  };
}

export default fp(auditFeature, { name: 'audit', dependencies: ['access'] });
