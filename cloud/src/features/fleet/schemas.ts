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
