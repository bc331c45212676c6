import { successSchema } from '../../http/envelope.js';

// Agent ids are UUIDv7 from enrollment, but older installs named agents themselves: accept any valid agent id.
const agentId = { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' } as const;
const siteId = { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' } as const;

export const siteParams = {
  type: 'object',
  required: ['siteId'],
  additionalProperties: false,
  properties: { siteId },
} as const;

export const agentParams = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: agentId },
} as const;

export const createTokenBody = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: {
    /** From one minute to 30 days; a day when omitted. */
    expiresInS: { type: 'integer', minimum: 60, maximum: 30 * 24 * 3600 },
  },
} as const;

export interface CreateTokenBody {
  expiresInS?: number;
}

export const createTokenResponse = successSchema({
  type: 'object',
  required: ['id', 'siteId', 'token', 'expiresAt'],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    siteId: { type: 'string' },
    token: { type: 'string' },
    expiresAt: { type: 'string', format: 'date-time' },
  },
});

const publicKey = { type: 'string', minLength: 1, maxLength: 64 } as const;

export const enrollBody = {
  type: 'object',
  required: ['token', 'hostname', 'agentVersion', 'publicKeys'],
  additionalProperties: false,
  properties: {
    token: { type: 'string', minLength: 1, maxLength: 128 },
    hostname: { type: 'string', minLength: 1, maxLength: 253, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' },
    agentVersion: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9.+_-]*$' },
    publicKeys: {
      type: 'object',
      required: ['signing', 'box'],
      additionalProperties: false,
      properties: { signing: publicKey, box: publicKey },
    },
  },
} as const;

export const enrollResponse = successSchema({
  type: 'object',
  required: ['agentId', 'siteId', 'mqtt', 'commandKeys'],
  additionalProperties: false,
  properties: {
    agentId: { type: 'string' },
    siteId: { type: 'string' },
    mqtt: {
      type: 'object',
      required: ['url', 'username', 'password'],
      additionalProperties: false,
      properties: { url: { type: 'string' }, username: { type: 'string' }, password: { type: 'string' } },
    },
    commandKeys: {
      type: 'array',
      items: {
        type: 'object',
        required: ['keyId', 'publicKey'],
        additionalProperties: false,
        properties: { keyId: { type: 'string' }, publicKey: { type: 'string' } },
      },
    },
  },
});

const nullableTime = { type: ['string', 'null'], format: 'date-time' } as const;

const agentView = {
  type: 'object',
  required: [
    'id',
    'siteId',
    'hostname',
    'agentVersion',
    'status',
    'online',
    'lastSeenAt',
    'enrolledAt',
    'revokedAt',
    'lastSyncAt',
    'backlogSamples',
  ],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    siteId: { type: ['string', 'null'] },
    hostname: { type: 'string' },
    agentVersion: { type: 'string' },
    status: { type: 'string', enum: ['online', 'offline', 'revoked'] },
    online: { type: 'boolean' },
    lastSeenAt: nullableTime,
    enrolledAt: nullableTime,
    revokedAt: nullableTime,
    lastSyncAt: nullableTime,
    backlogSamples: { type: ['integer', 'null'], minimum: 0 },
  },
} as const;

export const listAgentsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { siteId },
} as const;

export const listAgentsResponse = successSchema({
  type: 'object',
  required: ['agents'],
  additionalProperties: false,
  properties: { agents: { type: 'array', items: agentView } },
});

export const agentResponse = successSchema(agentView);
