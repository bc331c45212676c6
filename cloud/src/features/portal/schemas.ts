import { PAYOUT_SCHEMES } from '@hashinsight/profitability';
import { successSchema } from '../../http/envelope.js';
import { MINER_STATUSES } from '../miners/index.js';

const nullableNumber = { type: ['number', 'null'] } as const;
const nullableString = { type: ['string', 'null'] } as const;
const dateTime = { type: 'string', format: 'date-time' } as const;

export const MAX_PAGE = 500;

const portalMiner = {
  type: 'object',
  properties: {
    agentId: { type: 'string' },
    minerId: { type: 'string' },
    vendor: { type: 'string' },
    model: { type: 'string' },
    hostname: { type: 'string' },
    siteId: nullableString,
    status: { type: 'string' },
    hashrateThs: nullableNumber,
    expectedHashrateThs: nullableNumber,
    reportedExpectedHashrateThs: nullableNumber,
    powerW: nullableNumber,
    temperatureC: nullableNumber,
    uptimeS: nullableNumber,
    lastSampleAt: nullableString,
  },
} as const;

export const minersQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: MINER_STATUSES },
    model: { type: 'string', minLength: 1, maxLength: 100 },
    // No NUL: PostgreSQL text cannot hold one (the query failed with a 500 instead of a 400).
    q: { type: 'string', maxLength: 100, pattern: '^[^\\u0000]*$' },
    limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE, default: 100 },
    cursor: { type: 'string', minLength: 1, maxLength: 1024 },
  },
} as const;

export const minersResponse = successSchema({
  type: 'object',
  required: ['miners', 'nextCursor'],
  properties: { miners: { type: 'array', items: portalMiner }, nextCursor: nullableString },
});

export const minerParams = {
  type: 'object',
  required: ['agentId', 'minerId'],
  additionalProperties: false,
  properties: {
    agentId: { type: 'string', minLength: 1, maxLength: 128 },
    minerId: { type: 'string', minLength: 1, maxLength: 128 },
  },
} as const;

export const minerResponse = successSchema(portalMiner);

export const summaryResponse = successSchema({
  type: 'object',
  properties: {
    miners: {
      type: 'object',
      properties: {
        total: { type: 'integer' },
        online: { type: 'integer' },
        byStatus: { type: 'object', additionalProperties: { type: 'integer' } },
      },
    },
    hashrateThs: { type: 'number' },
    expectedHashrateThs: { type: 'number' },
    unknownModels: { type: 'integer' },
    hashrateOfExpectedPercent: nullableNumber,
    powerW: { type: 'number' },
    efficiencyJTh: nullableNumber,
    temperatureC: { type: 'object', properties: { max: nullableNumber, avg: nullableNumber } },
  },
});

const range = {
  /** Default: 24 hours (7 days for uptime and earnings) before `to`. */
  from: dateTime,
  /** Default: now. */
  to: dateTime,
} as const;

export const hashrateQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { ...range, resolution: { type: 'string', enum: ['5m', '1h', '1d'], default: '1h' } },
} as const;

export const hashrateResponse = successSchema({
  type: 'object',
  properties: {
    resolution: { type: 'string' },
    from: dateTime,
    to: dateTime,
    points: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          time: dateTime,
          miners: { type: 'integer' },
          onlineMiners: { type: 'integer' },
          hashrateThs: { type: 'number' },
          powerW: { type: 'number' },
        },
      },
    },
  },
});

export const uptimeQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...range,
    period: { type: 'string', enum: ['day', 'week', 'month'], default: 'day' },
    /** The SLA's availability target, percent: each period then says whether it was met. */
    sla: { type: 'number', minimum: 0, maximum: 100 },
  },
} as const;

export const uptimeResponse = successSchema({
  type: 'object',
  properties: {
    from: dateTime,
    to: dateTime,
    period: { type: 'string' },
    slaPercent: nullableNumber,
    uptimePercent: nullableNumber,
    slaMet: { type: ['boolean', 'null'] },
    periods: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          start: dateTime,
          samples: { type: 'integer' },
          uptimePercent: nullableNumber,
          slaMet: { type: ['boolean', 'null'] },
        },
      },
    },
  },
});

export const earningsQuery = {
  type: 'object',
  required: ['electricity_cost'],
  additionalProperties: false,
  properties: {
    ...range,
    electricity_cost: { type: 'number', minimum: 0, maximum: 1e6 },
    pool_fee_percent: { type: 'number', minimum: 0, maximum: 100 },
    payout_scheme: { type: 'string', enum: PAYOUT_SCHEMES },
    hosting_fee: { type: 'number', minimum: 0, maximum: 1e12 },
  },
} as const;

export const eventsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...range,
    limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE, default: 100 },
    cursor: { type: 'string', minLength: 1, maxLength: 1024 },
  },
} as const;

export const eventsResponse = successSchema({
  type: 'object',
  required: ['events', 'nextCursor'],
  properties: {
    events: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          time: dateTime,
          type: { type: 'string' },
          agentId: { type: 'string' },
          minerId: { type: 'string' },
          from: { type: 'string' },
          to: { type: 'string' },
        },
      },
    },
    nextCursor: nullableString,
  },
});
