import { successSchema } from '../../http/envelope.js';

const model = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    vendor: { type: 'string' },
    model: { type: 'string' },
    hashrateTh: { type: 'number' },
    powerW: { type: 'number' },
    efficiencyJTh: { type: 'number' },
    releaseYear: { type: ['integer', 'null'] },
    cooling: { type: 'string' },
    source: { type: 'string' },
    origin: { type: 'string', enum: ['shipped', 'tenant'] },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const COOLING = ['air', 'hydro', 'immersion'] as const;

/** Bounds far outside any real machine, so typos (watts as kW, MH/s as TH/s) are refused. */
export const modelBody = {
  type: 'object',
  required: ['vendor', 'model', 'hashrateTh', 'powerW', 'cooling'],
  additionalProperties: false,
  properties: {
    vendor: { type: 'string', minLength: 1, maxLength: 60, pattern: '\\S' },
    model: { type: 'string', minLength: 1, maxLength: 100, pattern: '\\S' },
    hashrateTh: { type: 'number', exclusiveMinimum: 0, maximum: 100_000 },
    powerW: { type: 'number', exclusiveMinimum: 0, maximum: 1_000_000 },
    releaseYear: { type: ['integer', 'null'], minimum: 2009, maximum: 2100 },
    cooling: { type: 'string', enum: COOLING },
    source: { type: 'string', maxLength: 500 },
  },
} as const;

export const modelParams = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

export const modelResponse = successSchema(model);
export const modelListResponse = successSchema({
  type: 'object',
  required: ['models'],
  properties: { models: { type: 'array', items: model } },
});
export const deletedResponse = successSchema({
  type: 'object',
  required: ['id', 'deleted'],
  properties: { id: { type: 'string' }, deleted: { type: 'boolean' } },
});
