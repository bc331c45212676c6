import { successSchema } from '../../http/envelope.js';

// Response schemas also act as an allow-list: fast-json-stringify drops any property not named here.

const nullableNumber = { type: ['number', 'null'] } as const;
const nullableInteger = { type: ['integer', 'null'] } as const;

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
    lastSampleAt: { type: ['string', 'null'], format: 'date-time' },
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

export const listMinersResponse = successSchema({
  type: 'object',
  required: ['miners'],
  properties: { miners: { type: 'array', items: miner } },
});
