import { successSchema } from '../../http/envelope.js';

export const auditEntry = {
  type: 'object',
  required: ['seq', 'at', 'actorKind', 'method', 'route', 'statusCode', 'outcome', 'hash'],
  additionalProperties: false,
  properties: {
    seq: { type: 'integer' },
    /** ISO 8601 UTC. */
    at: { type: 'string', format: 'date-time' },
    actorKind: { type: 'string', enum: ['user', 'api_key', 'anonymous'] },
    actorId: { type: ['string', 'null'] },
    email: { type: ['string', 'null'] },
    method: { type: 'string' },
    route: { type: 'string' },
    targetId: { type: ['string', 'null'] },
    statusCode: { type: 'integer' },
    outcome: { type: 'string', enum: ['success', 'failure'] },
    requestId: { type: 'string' },
    ip: { type: 'string' },
    hash: { type: 'string' },
  },
} as const;

export const MAX_PAGE = 200;

export const listAuditQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    /** The nextCursor of the previous page: entries older than it. */
    cursor: { type: 'string', pattern: '^[1-9][0-9]{0,14}$' },
    limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE, default: 50 },
  },
} as const;

export interface ListAuditQuery {
  cursor?: string;
  limit: number;
}

export const listAuditResponse = successSchema({
  type: 'object',
  required: ['entries', 'nextCursor'],
  additionalProperties: false,
  properties: {
    entries: { type: 'array', items: auditEntry },
    nextCursor: { type: ['string', 'null'] },
  },
});

export const auditSeqParams = {
  type: 'object',
  required: ['seq'],
  additionalProperties: false,
  properties: { seq: { type: 'string', pattern: '^[1-9][0-9]{0,14}$' } },
} as const;

export const auditEntryResponse = successSchema(auditEntry);
