// The calculator API: public worked examples through the HTTP API, every input's origin, the batch and heatmap
// agreeing with single calculations cell by cell, replay over stored snapshots, and live profitability from
// measured telemetry scoped like the fleet; on every dialect.
import { calculate } from '@hashinsight/profitability';
import type { FastifyInstance } from 'fastify';
import type { Test } from 'tap';
import type { Db } from '../../db/index.js';
import { testEachDialect } from '../../test/databases.js';
import { buildAppOver, insertAgent, insertMiner } from '../../test/fleet.js';
import { accessToken, bearer, seedTenant } from '../../test/identities.js';
import { DEFAULT_STATIC_FIGURES } from '../network/defaults.js';
import { rollupRange, storeSamples } from '../telemetry/service.js';

const T0 = Date.UTC(2026, 10, 1);
const NOW = T0 + 2 * 86_400_000;

async function setup(t: Test, db: Db) {
  const a = await seedTenant(db, 'a');
  const b = await seedTenant(db, 'b');
  const app = await buildAppOver(t, db, () => NOW);
  const token = async (tenant: typeof a, role: keyof typeof a.users) =>
    bearer(await accessToken(app, db, tenant.users[role]));
  return { a, b, app, token };
}

const post = (app: FastifyInstance, url: string, headers: Record<string, string>, payload: object) =>
  app.inject({ method: 'POST', url, headers, payload });

const rel = (actual: number, expected: number) => Math.abs(actual - expected) / Math.abs(expected);

testEachDialect('public worked examples through POST /api/calculate', async (t, db) => {
  const { a, app, token } = await setup(t, db);
  const guest = await token(a, 'guest');
  // coinblooms.com/?p=10961: 110 TH/s at D = 67,305,906,902,031 and a 6.25 BTC subsidy (height 820,512, mempool
  // api-docs-data.ts) earns 0.00020548182 BTC/day with the 2^32 constant (reference profitability.md R2).
  const r2 = await post(app, '/api/calculate', guest, {
    hashrate_th: 110,
    power_w: 3250,
    electricity_cost: 0,
    difficulty: 67_305_906_902_031,
    block_height: 820_512,
    avg_fees_per_block: 0,
    pool_fee_percent: 0,
    btc_price: 30_000,
  });
  t.equal(r2.statusCode, 200, r2.body);
  t.ok(rel(r2.json().data.btc_per_day, 0.00020548182) < 1e-6, `R2 btc/day ${r2.json().data.btc_per_day}`);
  // elektronics.dev/docs/hashprice: D = 1e14, $100,000, 3.125 BTC → $62.86 per PH/s per day (R3, exact form).
  const r3 = await post(app, '/api/calculate', guest, {
    miner_model: 'Antminer S21',
    electricity_cost: 0.05,
    difficulty: 1e14,
    btc_price: 100_000,
    block_subsidy: 3.125,
    avg_fees_per_block: 0,
  });
  const hashprice = r3.json().data.hashprice.usd_per_ph_day;
  t.ok(rel(hashprice, (1e15 * 86_400 * 3.125 * 100_000) / (1e14 * 2 ** 32)) < 1e-12, 'hashprice formula');
  t.ok(Math.abs(hashprice - 62.86) < 0.01, `R3 hashprice ${hashprice}`);
  // btccontract.de S19 guide: 3.25 kW at $0.10/kWh costs $7.80 a day (R-electricity).
  const s19 = await post(app, '/api/calculate', guest, {
    miner_model: 'Antminer S19',
    electricity_cost: 0.1,
  });
  t.ok(Math.abs(s19.json().data.daily_electricity_cost - 7.8) < 1e-9, 'S19 $7.80 a day');
});

testEachDialect('the response: original design shape, every input with its origin and age', async (t, db) => {
  const { a, app, token } = await setup(t, db);
  const body = {
    miner_model: 'antminer s19 pro',
    quantity: 10,
    electricity_cost: 0.06,
    hardware_cost_usd: 1500,
    hosting_fee: 20,
  };
  const response = await post(app, '/api/calculate', await token(a, 'customer'), body);
  t.equal(response.statusCode, 200, response.body);
  const data = response.json().data;
  const expected = calculate({
    hashrateTh: 110,
    powerW: 3250,
    quantity: 10,
    difficulty: DEFAULT_STATIC_FIGURES.difficulty,
    btcUsd: DEFAULT_STATIC_FIGURES.btcPriceUsd,
    electricityUsdPerKwh: 0.06,
    blockHeight: DEFAULT_STATIC_FIGURES.blockHeight,
    avgFeesPerBlockBtc: DEFAULT_STATIC_FIGURES.avgFeesPerBlockBtc,
    poolFeePercent: 2,
    hostingUsdPerUnitMonth: 20,
    hardwareCostUsd: 1500,
  });
  t.match(data, {
    daily_revenue: expected.dailyRevenueUsd,
    daily_cost: expected.dailyCostUsd,
    daily_profit: expected.dailyProfitUsd,
    monthly_profit: expected.dailyProfitUsd * 30,
    roi_days: expected.paybackDays,
    btc_per_day: expected.btcPerDay,
    break_even_electricity_cost: expected.breakEvenElectricityUsdPerKwh,
    break_even_btc_price: expected.breakEvenBtcUsd,
    total_hashrate_th: 1100,
    network_status: 'static',
  });
  t.ok(data.hashprice.usd_per_th_day > 0);
  const ageOfStatic = Math.floor((NOW - DEFAULT_STATIC_FIGURES.asOfMs) / 1000);
  t.match(data.inputs, {
    miner_model: { value: 'Antminer S19 Pro', source: 'catalog' },
    hashrate_th: { value: 110, source: 'catalog' },
    quantity: { value: 10, source: 'request' },
    btc_price: {
      value: DEFAULT_STATIC_FIGURES.btcPriceUsd,
      source: 'static',
      as_of: '2025-11-28T00:00:00.000Z',
      age_seconds: ageOfStatic,
    },
    difficulty: { source: 'static', age_seconds: ageOfStatic },
    block_height: { value: DEFAULT_STATIC_FIGURES.blockHeight, source: 'static' },
    block_subsidy: { value: 3.125, source: 'block_height' },
    pool_fee_percent: { value: 2, source: 'default' },
    payout_scheme: { value: 'FPPS', source: 'default' },
    hosting_fee: { value: 20, source: 'request' },
  });
  const noRoi = await post(app, '/api/calculate', await token(a, 'guest'), { ...body, electricity_cost: 10 });
  t.equal(noRoi.json().data.roi_days, null, 'never pays back at a loss');
});

testEachDialect('bad calculation requests are 400 with a code that says why', async (t, db) => {
  const { a, app, token } = await setup(t, db);
  const guest = await token(a, 'guest');
  const cases: [string, object, string][] = [
    ['no machine', { electricity_cost: 0.05 }, 'CALC_MACHINE_REQUIRED'],
    ['hashrate without power', { hashrate_th: 100, electricity_cost: 0.05 }, 'CALC_MACHINE_REQUIRED'],
    [
      'model and custom figures',
      { miner_model: 'Antminer S21', hashrate_th: 1, power_w: 1, electricity_cost: 0 },
      'CALC_MACHINE_AMBIGUOUS',
    ],
    ['unknown model', { miner_model: 'Antminer S99', electricity_cost: 0.05 }, 'CALC_MODEL_UNKNOWN'],
    [
      'height and subsidy',
      { miner_model: 'Antminer S21', electricity_cost: 0, block_height: 1, block_subsidy: 1 },
      'CALC_SUBSIDY_AMBIGUOUS',
    ],
    ['no electricity cost', { miner_model: 'Antminer S21' }, 'VALIDATION_FAILED'],
    ['negative electricity', { miner_model: 'Antminer S21', electricity_cost: -0.01 }, 'VALIDATION_FAILED'],
    [
      'price as a string',
      { miner_model: 'Antminer S21', electricity_cost: 0.05, btc_price: '100000' },
      'VALIDATION_FAILED',
    ],
    [
      'zero difficulty',
      { miner_model: 'Antminer S21', electricity_cost: 0.05, difficulty: 0 },
      'VALIDATION_FAILED',
    ],
    ['unknown field', { miner_model: 'Antminer S21', electricity_cost: 0.05, tip: 1 }, 'VALIDATION_FAILED'],
    [
      'fractional quantity',
      { miner_model: 'Antminer S21', electricity_cost: 0.05, quantity: 1.5 },
      'VALIDATION_FAILED',
    ],
    [
      'pool fee over 100',
      { miner_model: 'Antminer S21', electricity_cost: 0.05, pool_fee_percent: 101 },
      'VALIDATION_FAILED',
    ],
  ];
  for (const [name, body, code] of cases) {
    const response = await post(app, '/api/calculate', guest, body);
    t.equal(response.statusCode, 400, name);
    t.equal(response.json().code, code, name);
  }
  const tooMany = await post(app, '/api/calculate/batch', guest, {
    calculations: Array.from({ length: 201 }, () => ({ miner_model: 'Antminer S21', electricity_cost: 0 })),
  });
  t.equal(tooMany.statusCode, 400, 'batch over 200');
  const bigAxis = await post(app, '/api/calculate/heatmap', guest, {
    miner_model: 'Antminer S21',
    btc_prices: Array.from({ length: 101 }, (_, i) => i),
    electricity_prices: [0.05],
  });
  t.equal(bigAxis.statusCode, 400, 'axis over 100');
  t.equal(
    (await post(app, '/api/calculate', {}, { miner_model: 'Antminer S21', electricity_cost: 0 })).statusCode,
    401,
  );
});

testEachDialect('batch and heatmap agree with single calculations, cell by cell', async (t, db) => {
  const { a, app, token } = await setup(t, db);
  const guest = await token(a, 'guest');
  const base = {
    miner_model: 'Whatsminer M30S',
    quantity: 3,
    hardware_cost_usd: 900,
    hosting_fee: 15,
    pool_fee_percent: 1.5,
  };
  const btcPrices = [20_000, 55_555.55, 91_000, 150_000, 333_333];
  const electricityPrices = [0, 0.033, 0.07, 0.125];
  const single = async (btc: number, electricity: number) =>
    (
      await post(app, '/api/calculate', guest, { ...base, btc_price: btc, electricity_cost: electricity })
    ).json().data;

  const batch = await post(app, '/api/calculate/batch', guest, {
    calculations: btcPrices.map((btc, i) => ({
      ...base,
      btc_price: btc,
      electricity_cost: electricityPrices[i % 4],
    })),
  });
  t.equal(batch.statusCode, 200, batch.body);
  const results = batch.json().data.results;
  for (const [i, btc] of btcPrices.entries()) {
    t.same(
      results[i],
      await single(btc, electricityPrices[i % 4] as number),
      `batch item ${i} equals the single call`,
    );
  }

  const grid = await post(app, '/api/calculate/heatmap', guest, {
    ...base,
    btc_prices: btcPrices,
    electricity_prices: electricityPrices,
  });
  t.equal(grid.statusCode, 200, grid.body);
  const data = grid.json().data;
  t.same(data.btc_prices, btcPrices);
  t.same(data.electricity_prices, electricityPrices);
  let cells = 0;
  for (const [i, btc] of btcPrices.entries()) {
    for (const [j, electricity] of electricityPrices.entries()) {
      const one = await single(btc, electricity);
      t.equal(data.daily_profit[i][j], one.daily_profit, `profit at ${btc} × ${electricity}`);
      t.equal(data.roi_days[i][j], one.roi_days, `ROI at ${btc} × ${electricity}`);
      cells++;
    }
  }
  t.equal(cells, 20);
  t.ok(
    data.roi_days.some((row: (number | null)[]) => row.includes(null)),
    'some cells never pay back',
  );
  t.match(data.inputs, { miner_model: { value: 'Whatsminer M30S' }, difficulty: { source: 'static' } });
});

testEachDialect(
  'replay: one point per stored snapshot, each the single calculation at its figures',
  async (t, db) => {
    const { a, app, token } = await setup(t, db);
    const snapshots = [0, 1, 2].map((i) => ({
      id: `01900000-0000-7000-8000-00000000000${i}`,
      fetched_at: T0 + i * 86_400_000,
      btc_price_usd: 80_000 + i * 5000,
      difficulty: 1.4e14 + i * 1e12,
      block_height: 1_049_999 + i * 100, // crosses the 2028 halving
      block_subsidy_btc: i === 0 ? 3.125 : 1.5625,
      avg_fees_btc: 0.02 + i / 100,
      source: 'mempool.space',
    }));
    await db.insertInto('network_snapshot').values(snapshots).execute();
    const body = {
      miner_model: 'Antminer S21 XP',
      quantity: 2,
      electricity_cost: 0.05,
      from: new Date(T0).toISOString(),
      to: new Date(T0 + 3 * 86_400_000).toISOString(),
    };
    const replay = await post(app, '/api/calculate/replay', await token(a, 'guest'), body);
    t.equal(replay.statusCode, 200, replay.body);
    const data = replay.json().data;
    t.equal(data.points.length, 3);
    for (const [i, point] of data.points.entries()) {
      const snapshot = snapshots[i] as (typeof snapshots)[number];
      const one = await post(app, '/api/calculate', await token(a, 'guest'), {
        miner_model: 'Antminer S21 XP',
        quantity: 2,
        electricity_cost: 0.05,
        btc_price: snapshot.btc_price_usd,
        difficulty: snapshot.difficulty,
        block_height: snapshot.block_height,
        avg_fees_per_block: snapshot.avg_fees_btc,
      });
      t.equal(point.daily_profit, one.json().data.daily_profit, `point ${i}`);
      t.equal(point.at, new Date(snapshot.fetched_at).toISOString());
    }
    t.equal(
      data.average_daily_profit,
      data.points.reduce((s: number, p: { daily_profit: number }) => s + p.daily_profit, 0) / 3,
    );
    const overridden = await post(app, '/api/calculate/replay', await token(a, 'guest'), {
      ...body,
      btc_price: 1,
    });
    t.equal(overridden.statusCode, 400, 'the snapshot sets the price');
  },
);

testEachDialect(
  'live profitability from measured hashrate and power, scoped like the fleet',
  async (t, db) => {
    const { a, b, app, token } = await setup(t, db);
    await insertAgent(db, { id: 'agent-a', tenantId: a.tenantId, siteId: a.siteId });
    await insertAgent(db, { id: 'agent-b', tenantId: b.tenantId, siteId: b.siteId });
    const miners = [
      {
        agentId: 'agent-a',
        id: 'm1',
        tenantId: a.tenantId,
        siteId: a.siteId,
        customerId: a.customerId,
        model: 'Antminer S19 Pro',
      },
      {
        agentId: 'agent-a',
        id: 'm2',
        tenantId: a.tenantId,
        siteId: a.siteId,
        customerId: null,
        model: 'Antminer S21',
      },
      {
        agentId: 'agent-b',
        id: 'm1',
        tenantId: b.tenantId,
        siteId: b.siteId,
        customerId: b.customerId,
        model: 'Antminer S21',
      },
    ];
    for (const miner of miners) await insertMiner(db, miner);
    // One hour of minute samples from T0: m1 hashes 100 TH/s at 3000 W half the hour and is off the other half;
    // m2 hashes 200 TH/s at 3500 W all hour; B's miner hashes a lot (must never count for A).
    const samples = [];
    for (let minute = 0; minute < 60; minute++) {
      const time_ms = T0 + minute * 60_000;
      const row = (agent_id: string, miner_id: string, on: boolean, ths: number, power: number) => ({
        agent_id,
        miner_id,
        time_ms,
        status: on ? 'ok' : 'offline',
        hashrate_mhs: on ? ths * 1e6 : 0,
        hashrate_avg_mhs: 0,
        hashrate_expected_mhs: 0,
        power_w: on ? power : 0,
        chip_temp_max_dc: null,
        board_temp_max_dc: null,
        fan_min_rpm: null,
        fan_max_rpm: null,
        accepted: 0,
        rejected: 0,
      });
      samples.push(
        row('agent-a', 'm1', minute < 30, 100, 3000),
        row('agent-a', 'm2', true, 200, 3500),
        row('agent-b', 'm1', true, 9999, 9999),
      );
    }
    await storeSamples(db, samples, T0 + 3_600_000);
    await rollupRange(db, '5m', T0, T0 + 3_600_000);
    const hour = `from=${new Date(T0).toISOString()}&to=${new Date(T0 + 3_600_000).toISOString()}&electricity_cost=0.05`;
    const get = async (headers: Record<string, string>, query: string) =>
      app.inject({ method: 'GET', url: `/api/profitability/live?${hour}&${query}`, headers });
    const owner = await token(a, 'owner');

    const site = await get(owner, `siteId=${a.siteId}&btc_price=1`);
    t.equal(site.statusCode, 400, 'live takes no btc_price: the network state prices it');
    const whole = (await get(owner, `siteId=${a.siteId}`)).json().data;
    t.equal(whole.miners, 2);
    t.equal(whole.resolution, '5m');
    t.ok(
      rel(whole.measured.avg_hashrate_th, 250) < 1e-9,
      `(100·½ + 200) TH/s, got ${whole.measured.avg_hashrate_th}`,
    );
    t.ok(rel(whole.measured.avg_power_w, 5000) < 1e-9, '3000·½ + 3500 W');
    t.ok(rel(whole.measured.energy_kwh, 5) < 1e-9, '5 kWh in the hour');
    t.ok(rel(whole.measured.uptime_percent, 75) < 1e-9);
    t.same(whole.nameplate, { hashrate_th: 310, power_w: 6750, unknown_models: 0 });
    const expected = calculate({
      hashrateTh: whole.measured.avg_hashrate_th,
      powerW: whole.measured.avg_power_w,
      difficulty: DEFAULT_STATIC_FIGURES.difficulty,
      btcUsd: DEFAULT_STATIC_FIGURES.btcPriceUsd,
      electricityUsdPerKwh: 0.05,
      blockHeight: DEFAULT_STATIC_FIGURES.blockHeight,
      avgFeesPerBlockBtc: DEFAULT_STATIC_FIGURES.avgFeesPerBlockBtc,
      poolFeePercent: 2,
    });
    t.equal(whole.per_day.daily_profit, expected.dailyProfitUsd);
    t.ok(rel(whole.period.profit, expected.dailyProfitUsd / 24) < 1e-12, 'the period is one hour');
    t.match(whole.per_day.inputs, { hashrate_th: { source: 'measured' }, btc_price: { source: 'static' } });

    const one = (await get(owner, 'agentId=agent-a&minerId=m1')).json().data;
    t.ok(rel(one.measured.avg_hashrate_th, 50) < 1e-9, 'one miner');

    const customer = await token(a, 'customer');
    const mine = (await get(customer, '')).json().data;
    t.equal(mine.miners, 1, "a customer's live profitability covers its own miners only");
    t.ok(rel(mine.measured.avg_hashrate_th, 50) < 1e-9);
    for (const [who, headers, query] of [
      ["A's customer naming A's unassigned miner", customer, 'agentId=agent-a&minerId=m2'],
      ["A's customer naming B's customer", customer, `customerId=${b.customerId}`],
      ["A's owner naming B's site", owner, `siteId=${b.siteId}`],
      ["A's owner naming B's miner", owner, 'agentId=agent-b&minerId=m1'],
    ] as const) {
      const response = await get(headers, query);
      t.equal(response.statusCode, 404, who);
      t.equal(response.json().code, 'CALC_SCOPE_NOT_FOUND', who);
    }
    t.equal((await get(await token(a, 'guest'), '')).statusCode, 403, 'guests have no fleet');
    const backwards = await app.inject({
      method: 'GET',
      url: `/api/profitability/live?electricity_cost=0.05&from=${new Date(T0 + 1).toISOString()}&to=${new Date(T0).toISOString()}`,
      headers: owner,
    });
    t.equal(backwards.json().code, 'CALC_RANGE_INVALID');
  },
);
