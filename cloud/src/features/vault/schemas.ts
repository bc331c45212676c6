import { successSchema } from '../../http/envelope.js';
import { MODEL_MAX, PASSWORD_MAX, USERNAME_MAX } from './scope.js';

// Write-only credentials: a login goes in, only metadata ever comes out. Response schemas list the fields
// allowed out (additionalProperties: false), so a username or password added to a view by mistake is dropped.

const ID = { type: 'string', minLength: 1, maxLength: 64 } as const;

const scopeSchema = {
  oneOf: [
    {
      type: 'object',
      required: ['kind', 'agentId', 'minerId'],
      additionalProperties: false,
      properties: { kind: { const: 'miner' }, agentId: ID, minerId: ID },
    },
    {
      type: 'object',
      required: ['kind', 'model'],
      additionalProperties: false,
      properties: { kind: { const: 'model' }, model: { type: 'string', minLength: 1, maxLength: MODEL_MAX } },
    },
    {
      type: 'object',
      required: ['kind', 'siteId'],
      additionalProperties: false,
      properties: { kind: { const: 'site' }, siteId: ID },
    },
  ],
} as const;

/** PUT /api/credentials: pool passwords are not set here (they come with a set_pools command). */
export const putCredentialBody = {
  type: 'object',
  required: ['scope', 'purpose', 'username', 'password'],
  additionalProperties: false,
  properties: {
    scope: scopeSchema,
    purpose: { type: 'string', enum: ['web', 'api'] },
    username: { type: 'string', minLength: 1, maxLength: USERNAME_MAX },
    password: { type: 'string', minLength: 1, maxLength: PASSWORD_MAX },
  },
} as const;

export const credentialRefResponse = successSchema({
  type: 'object',
  required: ['id', 'version'],
  additionalProperties: false,
  properties: { id: { type: 'string' }, version: { type: 'integer' } },
});

const scopeView = {
  type: 'object',
  required: ['kind'],
  additionalProperties: false,
  properties: {
    kind: { type: 'string', enum: ['miner', 'model', 'site', 'pool'] },
    agentId: { type: 'string' },
    minerId: { type: 'string' },
    model: { type: 'string' },
    siteId: { type: 'string' },
  },
} as const;

export const credentialListResponse = successSchema({
  type: 'object',
  required: ['credentials'],
  additionalProperties: false,
  properties: {
    credentials: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'scope', 'purpose', 'version', 'pendingVersion', 'updatedAt'],
        additionalProperties: false,
        properties: {
          id: { type: 'string' },
          scope: scopeView,
          purpose: { type: 'string', enum: ['web', 'api', 'pool'] },
          /** The active version; null while only a pending one exists. */
          version: { type: ['integer', 'null'] },
          /** A rotation waiting for the miner's confirmation, if any. */
          pendingVersion: { type: ['integer', 'null'] },
          updatedAt: { type: 'string', format: 'date-time' },
        },
      },
    },
  },
});

export const credentialIdParams = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: ID },
} as const;

export const deletedCredentialResponse = successSchema({
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: { type: 'string' } },
});

export const vaultStatusResponse = successSchema({
  type: 'object',
  required: ['masterKeyVersion', 'masterKeyVersions', 'dataKeys', 'credentials', 'needRewrap'],
  additionalProperties: false,
  properties: {
    /** The master-key version new wraps use. */
    masterKeyVersion: { type: 'integer' },
    /** Every master-key version this instance holds. */
    masterKeyVersions: { type: 'array', items: { type: 'integer' } },
    /** The tenant's data keys (kind data), newest first. */
    dataKeys: {
      type: 'array',
      items: {
        type: 'object',
        required: ['version', 'masterKeyVersion', 'operations', 'createdAt', 'retiredAt'],
        additionalProperties: false,
        properties: {
          version: { type: 'integer' },
          masterKeyVersion: { type: 'integer' },
          /** Encryptions made with it. */
          operations: { type: 'integer' },
          createdAt: { type: 'string', format: 'date-time' },
          retiredAt: { type: ['string', 'null'], format: 'date-time' },
        },
      },
    },
    credentials: { type: 'integer' },
    /** Stored secrets of this tenant not yet under the newest keys (the rewrap job moves them). */
    needRewrap: { type: 'integer' },
  },
});

export const rotateBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    /** Retire (destroy) data-key versions nothing is encrypted under any more; default true. */
    retireOld: { type: 'boolean' },
  },
} as const;

export const rotateResponse = successSchema({
  type: 'object',
  required: ['dataKeyVersion', 'rewrapped', 'retiredVersions'],
  additionalProperties: false,
  properties: {
    dataKeyVersion: { type: 'integer' },
    /** Rows re-encrypted or re-wrapped by this run. */
    rewrapped: { type: 'integer' },
    retiredVersions: { type: 'array', items: { type: 'integer' } },
  },
});

export interface PutCredentialBody {
  scope:
    | { kind: 'miner'; agentId: string; minerId: string }
    | { kind: 'model'; model: string }
    | { kind: 'site'; siteId: string };
  purpose: 'web' | 'api';
  username: string;
  password: string;
}
