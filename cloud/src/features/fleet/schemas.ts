import { successSchema } from '../../http/envelope.js';
import { filterProperties } from '../miners/index.js';

const nullableNumber = { type: ['number', 'null'] } as const;

const totals = {
  miners: {
    type: 'object',
    properties: {
      total: { type: 'integer' },
      online: { type: 'integer' },
      offline: { type: 'integer' },
      unknown: { type: 'integer' },
      stale: { type: 'integer' },
    },
  },
  hashrateMhs: { type: 'number' },
  hashrateThs: { type: 'number' },
  expectedHashrateMhs: { type: 'number' },
  expectedHashrateThs: { type: 'number' },
  powerW: { type: 'number' },
  efficiencyJTh: nullableNumber,
  temperatureC: {
    type: 'object',
    properties: { min: nullableNumber, avg: nullableNumber, max: nullableNumber },
  },
} as const;

export const summaryQuery = {
  type: 'object',
  additionalProperties: false,
  properties: filterProperties,
} as const;

export const summaryResponse = successSchema({
  type: 'object',
  properties: {
    ...totals,
    sites: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          siteId: { type: ['string', 'null'] },
          siteName: { type: ['string', 'null'] },
          ...totals,
        },
      },
    },
  },
});

const dateTime = { type: 'string', format: 'date-time' } as const;

export const HISTORY_RESOLUTIONS = ['5m', '1h', '1d'] as const;

export const historyQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    resolution: { type: 'string', enum: HISTORY_RESOLUTIONS, default: '5m' },
    /** Default: 24 hours before `to`. */
    from: dateTime,
    /** Default: now (on the minute). */
    to: dateTime,
    siteId: filterProperties.siteId,
    customerId: filterProperties.customerId,
  },
} as const;

export interface HistoryQuery {
  resolution: (typeof HISTORY_RESOLUTIONS)[number];
  from?: string;
  to?: string;
  siteId?: string;
  customerId?: string;
}

export const historyResponse = successSchema({
  type: 'object',
  required: ['resolution', 'from', 'to', 'points'],
  additionalProperties: false,
  properties: {
    resolution: { type: 'string' },
    from: dateTime,
    to: dateTime,
    points: {
      type: 'array',
      items: {
        type: 'object',
        required: ['t', 'miners', 'onlineMiners', 'hashrateMhs', 'expectedHashrateMhs', 'powerW'],
        additionalProperties: false,
        properties: {
          /** Bucket start. */
          t: dateTime,
          miners: { type: 'integer' },
          onlineMiners: { type: 'integer' },
          hashrateMhs: { type: 'number' },
          expectedHashrateMhs: { type: 'number' },
          powerW: { type: 'number' },
        },
      },
    },
  },
});

export const MAX_EVENTS = 500;

export const eventsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    /** Default: 24 hours before `to`. */
    from: dateTime,
    /** Default: now. */
    to: dateTime,
    limit: { type: 'integer', minimum: 1, maximum: MAX_EVENTS, default: 100 },
  },
} as const;

export interface EventsQuery {
  from?: string;
  to?: string;
  limit: number;
}

export const eventsResponse = successSchema({
  type: 'object',
  required: ['events', 'truncated'],
  additionalProperties: false,
  properties: {
    events: {
      type: 'array',
      items: {
        type: 'object',
        required: ['at', 'kind'],
        additionalProperties: false,
        properties: {
          at: dateTime,
          /** status: the miner's status changed (from -> to); command: a command's target on it changed. */
          kind: { type: 'string', enum: ['status', 'command'] },
          from: { type: 'string' },
          to: { type: 'string' },
          commandId: { type: 'string' },
          commandType: { type: 'string' },
          state: { type: 'string' },
          detail: { type: 'string' },
          errorCode: { type: 'string' },
        },
      },
    },
    /** True when the range held more than `limit` events: ask for a shorter range. */
    truncated: { type: 'boolean' },
  },
});
