import { successSchema } from '../../http/envelope.js';

export const figure = {
  type: 'object',
  required: ['value', 'source', 'asOf', 'ageSeconds'],
  properties: {
    value: { type: 'number' },
    /** A source's name, snapshot:<sources>, static, or (calculator) request / catalog / default. */
    source: { type: 'string' },
    asOf: { type: ['string', 'null'], format: 'date-time' },
    ageSeconds: { type: ['integer', 'null'] },
  },
} as const;

const state = {
  type: 'object',
  properties: {
    btcPriceUsd: figure,
    difficulty: figure,
    blockHeight: figure,
    blockSubsidyBtc: figure,
    avgFeesPerBlockBtc: figure,
    status: { type: 'string', enum: ['live', 'partial', 'snapshot', 'static'] },
    sources: { type: 'array', items: { type: 'string' } },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: { source: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' } },
      },
    },
    checkedAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const stateResponse = successSchema(state);

export const MAX_SNAPSHOTS = 5000;

export const snapshotsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    /** Default: 30 days before `to`. */
    from: { type: 'string', format: 'date-time' },
    /** Default: now. */
    to: { type: 'string', format: 'date-time' },
    limit: { type: 'integer', minimum: 1, maximum: MAX_SNAPSHOTS, default: 1000 },
  },
} as const;

export const snapshotsResponse = successSchema({
  type: 'object',
  properties: {
    snapshots: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          fetchedAt: { type: 'string', format: 'date-time' },
          btcPriceUsd: { type: 'number' },
          difficulty: { type: 'number' },
          blockHeight: { type: 'integer' },
          blockSubsidyBtc: { type: 'number' },
          avgFeesPerBlockBtc: { type: 'number' },
          source: { type: 'string' },
        },
      },
    },
  },
});
