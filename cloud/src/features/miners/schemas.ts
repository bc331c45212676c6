import { successSchema } from '../../http/envelope.js';
import { MINER_SORTS } from './repository.js';
import { MINER_STATUSES } from './scope.js';

// Response schemas also act as an allow-list: fast-json-stringify drops any property not named here.

const nullableNumber = { type: ['number', 'null'] } as const;
const nullableInteger = { type: ['integer', 'null'] } as const;
const nullableString = { type: ['string', 'null'] } as const;

/** Agent ids are chosen by agents and miner ids by their agent: plain bounded strings. */
const agentId = { type: 'string', minLength: 1, maxLength: 128 } as const;
const minerId = { type: 'string', minLength: 1, maxLength: 128 } as const;
const objectId = { type: 'string', minLength: 1, maxLength: 64 } as const;

const board = {
  type: 'object',
  properties: {
    index: { type: 'integer' },
    hashrateMhs: { type: 'integer' },
    boardTempC: nullableNumber,
    chipTempC: nullableNumber,
    inletTempC: nullableNumber,
    outletTempC: nullableNumber,
    chips: { type: 'integer' },
    chipsExpected: { type: 'integer' },
    serial: { type: 'string' },
  },
} as const;

const pool = {
  type: 'object',
  properties: {
    url: { type: 'string' },
    user: { type: 'string' },
    status: { type: 'string', enum: ['alive', 'dead', 'disabled', 'unknown'] },
    active: { type: 'boolean' },
    priority: { type: 'integer' },
    accepted: { type: 'integer' },
    rejected: { type: 'integer' },
    stale: { type: 'integer' },
  },
} as const;

const miner = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    agentId: { type: 'string' },
    siteId: nullableString,
    customerId: nullableString,
    ip: { type: 'string' },
    mac: { type: 'string' },
    serial: { type: 'string' },
    vendor: { type: 'string' },
    model: { type: 'string' },
    firmware: { type: 'string' },
    hostname: { type: 'string' },
    status: { type: 'string' },
    hashrateMhs: nullableInteger,
    hashrateThs: nullableNumber,
    hashrateAvgMhs: nullableInteger,
    hashrateExpectedMhs: nullableInteger,
    powerW: nullableInteger,
    uptimeS: nullableInteger,
    temperatureC: nullableNumber,
    lastSampleAt: { type: ['string', 'null'], format: 'date-time' },
    firstSeenAt: { type: 'string', format: 'date-time' },
    lastSeenAt: { type: 'string', format: 'date-time' },
    pollError: { type: 'string' },
    boards: { type: 'array', items: board },
    fansRpm: { type: 'array', items: { type: 'integer' } },
    pools: { type: 'array', items: pool },
    errors: {
      type: 'array',
      items: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } },
    },
  },
} as const;

/** A list row: the miner and its latest figures; boards, fans, pools and errors are in the detail only. */
const {
  boards: _boards,
  fansRpm: _fans,
  pools: _pools,
  errors: _errors,
  ...listProperties
} = miner.properties;
const minerListItem = { type: 'object', properties: listProperties } as const;

export const MAX_PAGE = 500;

/** Filters shared with the fleet summary. */
export const filterProperties = {
  siteId: objectId,
  customerId: objectId,
  agentId,
  model: { type: 'string', minLength: 1, maxLength: 100 },
  status: { type: 'string', enum: MINER_STATUSES },
  // No NUL: PostgreSQL text cannot hold one (the query failed with a 500 instead of a 400).
  q: {
    type: 'string',
    maxLength: 100,
    pattern: '^[^\\u0000]*$',
    description:
      'Case-insensitive substring of the id, MAC, hostname, serial or model. For staff also an exact IP address ' +
      '(10.0.1.5) or a subnet (10.0.1, 10.0.1.*, 10.0.1.0/24, fd00::/64): addresses are encrypted at rest, so ' +
      'no substring of one matches.',
  },
} as const;

export const listMinersQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...filterProperties,
    sort: {
      type: 'string',
      enum: MINER_SORTS,
      default: 'ip',
      description:
        'ip: per site, the miners of one subnet together and in host order; subnets in an arbitrary stable ' +
        'order (addresses are encrypted at rest, so their network part cannot be ordered).',
    },
    order: { type: 'string', enum: ['asc', 'desc'], default: 'asc' },
    limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE, default: 100 },
    cursor: { type: 'string', minLength: 1, maxLength: 1024 },
  },
} as const;

export const listMinersResponse = successSchema({
  type: 'object',
  required: ['miners', 'nextCursor'],
  properties: {
    miners: { type: 'array', items: minerListItem },
    nextCursor: nullableString,
  },
});

export const minerParams = {
  type: 'object',
  required: ['agentId', 'minerId'],
  additionalProperties: false,
  properties: { agentId, minerId },
} as const;

export interface MinerParams {
  agentId: string;
  minerId: string;
}

export const HISTORY_RESOLUTIONS = ['raw', '5m', '1h', '1d'] as const;

export const minerDetailQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    resolution: { type: 'string', enum: HISTORY_RESOLUTIONS, default: '5m' },
    /** Default: 24 hours before `to`. */
    from: { type: 'string', format: 'date-time' },
    /** Default: now. */
    to: { type: 'string', format: 'date-time' },
  },
} as const;

export interface MinerDetailQuery {
  resolution: (typeof HISTORY_RESOLUTIONS)[number];
  from?: string;
  to?: string;
}

const historyPoint = {
  type: 'object',
  properties: {
    time: { type: 'string', format: 'date-time' },
    status: nullableString,
    samples: { type: 'integer' },
    onlineSamples: { type: 'integer' },
    hashrateMhs: { type: 'number' },
    hashrateExpectedMhs: { type: 'number' },
    powerW: nullableNumber,
    chipTempMaxC: nullableNumber,
    boardTempMaxC: nullableNumber,
  },
} as const;

export const minerDetailResponse = successSchema({
  type: 'object',
  required: ['miner', 'history'],
  properties: {
    miner,
    history: {
      type: 'object',
      properties: {
        resolution: { type: 'string' },
        from: { type: 'string', format: 'date-time' },
        to: { type: 'string', format: 'date-time' },
        /** True when the range held more points than one answer carries: ask for a coarser resolution. */
        truncated: { type: 'boolean' },
        points: { type: 'array', items: historyPoint },
      },
    },
  },
});

const customerIdOrNull = { anyOf: [objectId, { type: 'null' }] } as const;

export const assignBody = {
  type: 'object',
  required: ['customerId'],
  additionalProperties: false,
  properties: { customerId: customerIdOrNull },
} as const;

export const bulkAssignBody = {
  type: 'object',
  required: ['miners', 'customerId'],
  additionalProperties: false,
  properties: {
    miners: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_PAGE,
      items: minerParams,
    },
    customerId: customerIdOrNull,
  },
} as const;

export const assignResponse = successSchema({
  type: 'object',
  required: ['updated', 'customerId'],
  additionalProperties: false,
  properties: { updated: { type: 'integer' }, customerId: nullableString },
});
