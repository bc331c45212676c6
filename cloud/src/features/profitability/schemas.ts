import { PAYOUT_SCHEMES } from '@hashinsight/profitability';
import { successSchema } from '../../http/envelope.js';

// The calculator speaks the original design's snake_case (miner_model, electricity_cost, daily_profit…); the rest
// of the API is camelCase. Bounds here refuse nonsense early; the maths package checks again and names the field.

const money = { type: 'number', minimum: 0, maximum: 1e12 } as const;

/** One calculation: a catalog model or custom hashrate_th + power_w, and optional overrides of every input. */
export const calculationProperties = {
  miner_model: { type: 'string', minLength: 1, maxLength: 200 },
  hashrate_th: { type: 'number', exclusiveMinimum: 0, maximum: 1e9 },
  power_w: { type: 'number', minimum: 0, maximum: 1e9 },
  quantity: { type: 'integer', minimum: 1, maximum: 10_000_000, default: 1 },
  /** USD per kWh (an all-in hosting rate per kWh goes here too). */
  electricity_cost: { type: 'number', minimum: 0, maximum: 1e6 },
  btc_price: { type: 'number', exclusiveMinimum: 0, maximum: 1e12 },
  difficulty: { type: 'number', minimum: 1, maximum: 1e30 },
  block_height: { type: 'integer', minimum: 0, maximum: 1_000_000_000 },
  block_subsidy: { type: 'number', minimum: 0, maximum: 50 },
  /** BTC. */
  avg_fees_per_block: { type: 'number', minimum: 0, maximum: 21e6 },
  pool_fee_percent: { type: 'number', minimum: 0, maximum: 100 },
  payout_scheme: { type: 'string', enum: PAYOUT_SCHEMES },
  /** USD per unit per 30-day month. */
  hosting_fee: money,
  hosting_revenue_share_percent: { type: 'number', minimum: 0, maximum: 100 },
  /** USD per unit. */
  hardware_cost_usd: money,
} as const;

export const calculationBody = {
  type: 'object',
  required: ['electricity_cost'],
  additionalProperties: false,
  properties: calculationProperties,
} as const;

export const MAX_BATCH = 200;
export const MAX_AXIS = 100;

export const batchBody = {
  type: 'object',
  required: ['calculations'],
  additionalProperties: false,
  properties: { calculations: { type: 'array', minItems: 1, maxItems: MAX_BATCH, items: calculationBody } },
} as const;

const axis = (maximum: number) =>
  ({
    type: 'array',
    minItems: 1,
    maxItems: MAX_AXIS,
    items: { type: 'number', minimum: 0, maximum },
  }) as const;

/** The calculation's other inputs, and the two price axes (electricity_cost is then optional). */
export const heatmapBody = {
  type: 'object',
  required: ['btc_prices', 'electricity_prices'],
  additionalProperties: false,
  properties: {
    ...calculationProperties,
    btc_prices: axis(1e12),
    electricity_prices: axis(1e6),
  },
} as const;

/** The network inputs come from each stored snapshot, so the request cannot set them. */
const {
  btc_price: _price,
  difficulty: _difficulty,
  block_height: _height,
  block_subsidy: _subsidy,
  avg_fees_per_block: _fees,
  ...replayProperties
} = calculationProperties;

export const replayBody = {
  type: 'object',
  required: ['electricity_cost'],
  additionalProperties: false,
  properties: {
    ...replayProperties,
    from: { type: 'string', format: 'date-time' },
    to: { type: 'string', format: 'date-time' },
  },
} as const;

const usedInput = {
  type: 'object',
  properties: {
    value: { type: ['number', 'string', 'null'] },
    /** request, catalog, default, a network source, snapshot:<sources> or static. */
    source: { type: 'string' },
    as_of: { type: ['string', 'null'] },
    age_seconds: { type: ['integer', 'null'] },
  },
} as const;

const nullableNumber = { type: ['number', 'null'] } as const;

export const calculationResult = {
  type: 'object',
  properties: {
    daily_revenue: { type: 'number' },
    daily_cost: { type: 'number' },
    daily_electricity_cost: { type: 'number' },
    daily_hosting_cost: { type: 'number' },
    daily_profit: { type: 'number' },
    monthly_revenue: { type: 'number' },
    monthly_cost: { type: 'number' },
    monthly_profit: { type: 'number' },
    roi_days: nullableNumber,
    btc_per_day: { type: 'number' },
    gross_btc_per_day: { type: 'number' },
    hashprice: {
      type: 'object',
      properties: {
        usd_per_th_day: { type: 'number' },
        usd_per_ph_day: { type: 'number' },
        btc_per_th_day: { type: 'number' },
        btc_per_ph_day: { type: 'number' },
      },
    },
    hashcost_usd_per_th_day: nullableNumber,
    break_even_electricity_cost: nullableNumber,
    break_even_btc_price: nullableNumber,
    total_hashrate_th: { type: 'number' },
    total_power_w: { type: 'number' },
    efficiency_j_th: nullableNumber,
    energy_kwh_per_day: { type: 'number' },
    network_hashrate_ehs: { type: 'number' },
    total_hardware_cost_usd: { type: 'number' },
    network_status: { type: 'string' },
    inputs: { type: 'object', additionalProperties: usedInput },
  },
} as const;

export const calculationResponse = successSchema(calculationResult);
export const batchResponse = successSchema({
  type: 'object',
  properties: { results: { type: 'array', items: calculationResult } },
});

export const heatmapResponse = successSchema({
  type: 'object',
  properties: {
    btc_prices: { type: 'array', items: { type: 'number' } },
    electricity_prices: { type: 'array', items: { type: 'number' } },
    /** daily_profit[i][j] at btc_prices[i] and electricity_prices[j]. */
    daily_profit: { type: 'array', items: { type: 'array', items: { type: 'number' } } },
    roi_days: { type: 'array', items: { type: 'array', items: nullableNumber } },
    network_status: { type: 'string' },
    inputs: { type: 'object', additionalProperties: usedInput },
  },
});

export const replayResponse = successSchema({
  type: 'object',
  properties: {
    from: { type: 'string', format: 'date-time' },
    to: { type: 'string', format: 'date-time' },
    points: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          at: { type: 'string', format: 'date-time' },
          snapshot_id: { type: 'string' },
          btc_price: { type: 'number' },
          difficulty: { type: 'number' },
          block_height: { type: 'integer' },
          btc_per_day: { type: 'number' },
          daily_revenue: { type: 'number' },
          daily_cost: { type: 'number' },
          daily_profit: { type: 'number' },
          hashprice_usd_per_ph_day: { type: 'number' },
        },
      },
    },
    /** Mean over the points, null without any. */
    average_daily_profit: nullableNumber,
    truncated: { type: 'boolean' },
  },
});

export const liveQuery = {
  type: 'object',
  required: ['electricity_cost'],
  additionalProperties: false,
  properties: {
    siteId: { type: 'string', minLength: 1, maxLength: 64 },
    customerId: { type: 'string', minLength: 1, maxLength: 64 },
    agentId: { type: 'string', minLength: 1, maxLength: 128 },
    minerId: { type: 'string', minLength: 1, maxLength: 128 },
    /** Default: 24 hours before `to`. */
    from: { type: 'string', format: 'date-time' },
    /** Default: now. */
    to: { type: 'string', format: 'date-time' },
    electricity_cost: calculationProperties.electricity_cost,
    pool_fee_percent: calculationProperties.pool_fee_percent,
    payout_scheme: calculationProperties.payout_scheme,
    hosting_fee: calculationProperties.hosting_fee,
    hosting_revenue_share_percent: calculationProperties.hosting_revenue_share_percent,
  },
} as const;

export const liveResponse = successSchema({
  type: 'object',
  properties: {
    scope: {
      type: 'object',
      properties: {
        siteId: { type: ['string', 'null'] },
        customerId: { type: ['string', 'null'] },
        agentId: { type: ['string', 'null'] },
        minerId: { type: ['string', 'null'] },
      },
    },
    from: { type: 'string', format: 'date-time' },
    to: { type: 'string', format: 'date-time' },
    resolution: { type: 'string' },
    miners: { type: 'integer' },
    /** Measured over the period (offline time counts as zero). */
    measured: {
      type: 'object',
      properties: {
        avg_hashrate_th: { type: 'number' },
        avg_power_w: { type: 'number' },
        energy_kwh: { type: 'number' },
        uptime_percent: nullableNumber,
        efficiency_j_th: nullableNumber,
      },
    },
    /** Sum of the catalog's nominal hashrate and power of the miners in scope (models found in the catalog). */
    nameplate: {
      type: 'object',
      properties: {
        hashrate_th: { type: 'number' },
        power_w: { type: 'number' },
        unknown_models: { type: 'integer' },
      },
    },
    period: {
      type: 'object',
      properties: {
        days: { type: 'number' },
        btc: { type: 'number' },
        revenue: { type: 'number' },
        electricity_cost: { type: 'number' },
        hosting_cost: { type: 'number' },
        profit: { type: 'number' },
      },
    },
    per_day: calculationResult,
  },
});
