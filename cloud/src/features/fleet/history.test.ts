// GET /api/fleet/history on every dialect: the fleet's series from the rollups, against figures computed by hand,
// narrowed by site and customer, a customer's own miners only, another tenant's never, and bad ranges refused.
import type { Db } from '../../db/index.js';
import { testEachDialect } from '../../test/databases.js';
import { buildAppOver, insertAgent, insertMiner } from '../../test/fleet.js';
import { accessToken, bearer, seedTenant } from '../../test/identities.js';

const FIVE_MIN = 300_000;
/** A bucket start (aligned to 5 min and to the hour). */
const T0 = 1_795_000_000_000 - (1_795_000_000_000 % 3_600_000);

/** A 5-sample bucket of one miner: the given averages, `online` of the 5 samples online. */
async function rollup(
  db: Db,
  key: { agentId: string; minerId: string; resolution?: '5m' | '1h' | '1d'; bucketMs: number },
  avg: { hashrateMhs: number; expectedMhs: number; powerW: number | null; online: number },
) {
  await db
    .insertInto('miner_rollup')
    .values({
      resolution: key.resolution ?? '5m',
      agent_id: key.agentId,
      miner_id: key.minerId,
      bucket_ms: key.bucketMs,
      sample_count: 5,
      online_count: avg.online,
      hashrate_sum_mhs: avg.hashrateMhs * 5,
      hashrate_expected_sum_mhs: avg.expectedMhs * 5,
      power_sum_w: (avg.powerW ?? 0) * 5,
      power_count: avg.powerW === null ? 0 : 5,
      chip_temp_max_dc: null,
      board_temp_max_dc: null,
    })
    .execute();
}

testEachDialect('history: per bucket, by site and customer, scoped to the caller', async (t, db) => {
  const a = await seedTenant(db, 'a');
  const a2 = await seedTenant(db, 'a2', a.tenantId);
  const b = await seedTenant(db, 'b');
  await insertAgent(db, { id: 'agent-a', tenantId: a.tenantId, siteId: a.siteId });
  await insertAgent(db, { id: 'agent-a2', tenantId: a.tenantId, siteId: a2.siteId });
  await insertAgent(db, { id: 'agent-b', tenantId: b.tenantId, siteId: b.siteId });
  const inA = { tenantId: a.tenantId, siteId: a.siteId };
  await insertMiner(db, { ...inA, agentId: 'agent-a', id: 'm1', customerId: a.customerId });
  await insertMiner(db, { ...inA, agentId: 'agent-a', id: 'm2' });
  await insertMiner(db, {
    agentId: 'agent-a2',
    id: 'n1',
    tenantId: a.tenantId,
    siteId: a2.siteId,
    customerId: a2.customerId,
  });
  await insertMiner(db, { agentId: 'agent-b', id: 'm1', tenantId: b.tenantId, siteId: b.siteId });
  for (const bucketMs of [T0, T0 + FIVE_MIN]) {
    const up = bucketMs === T0 ? 5 : 3;
    await rollup(
      db,
      { agentId: 'agent-a', minerId: 'm1', bucketMs },
      { hashrateMhs: 100e6, expectedMhs: 110e6, powerW: 3000, online: up },
    );
    await rollup(
      db,
      { agentId: 'agent-a', minerId: 'm2', bucketMs },
      { hashrateMhs: 0, expectedMhs: 50e6, powerW: null, online: 0 },
    );
    await rollup(
      db,
      { agentId: 'agent-a2', minerId: 'n1', bucketMs },
      { hashrateMhs: 10e6, expectedMhs: 12e6, powerW: 500, online: 5 },
    );
    await rollup(
      db,
      { agentId: 'agent-b', minerId: 'm1', bucketMs },
      { hashrateMhs: 999e6, expectedMhs: 999e6, powerW: 9999, online: 5 },
    );
  }
  await rollup(
    db,
    { agentId: 'agent-a', minerId: 'm1', resolution: '1h', bucketMs: T0 },
    { hashrateMhs: 90e6, expectedMhs: 110e6, powerW: 2900, online: 5 },
  );
  // Half a minute into the third bucket: the default range (24 h to the minute) holds both buckets.
  const now = T0 + 2 * FIVE_MIN + 30_000;
  const app = await buildAppOver(t, db, () => now);
  const owner = await accessToken(app, db, a.users.owner);
  const customer = await accessToken(app, db, a.users.customer);
  const other = await accessToken(app, db, b.users.owner);
  const history = async (token: string, query = '') => {
    const response = await app.inject({
      method: 'GET',
      url: `/api/fleet/history${query}`,
      headers: bearer(token),
    });
    t.equal(response.statusCode, 200, `${query}: ${response.body.slice(0, 200)}`);
    return response.json().data;
  };
  const iso = (ms: number) => new Date(ms).toISOString();
  const point = (ms: number, values: object) => ({ t: iso(ms), ...values });

  // A customer asks first: a shared cache must not hand its answer to staff afterwards.
  const own = await history(customer);
  t.same(own.points, [
    point(T0, { miners: 1, onlineMiners: 1, hashrateMhs: 100e6, expectedHashrateMhs: 110e6, powerW: 3000 }),
    point(T0 + FIVE_MIN, {
      miners: 1,
      onlineMiners: 1,
      hashrateMhs: 100e6,
      expectedHashrateMhs: 110e6,
      powerW: 3000,
    }),
  ]);
  const all = await history(owner);
  t.same(all, {
    resolution: '5m',
    from: iso(T0 + 2 * FIVE_MIN - 86_400_000),
    to: iso(T0 + 2 * FIVE_MIN),
    points: [T0, T0 + FIVE_MIN].map((ms) =>
      point(ms, { miners: 3, onlineMiners: 2, hashrateMhs: 110e6, expectedHashrateMhs: 172e6, powerW: 3500 }),
    ),
  });
  t.match((await history(owner, `?siteId=${a.siteId}`)).points, [
    { miners: 2, onlineMiners: 1, hashrateMhs: 100e6, expectedHashrateMhs: 160e6, powerW: 3000 },
    { miners: 2 },
  ]);
  t.match((await history(owner, `?customerId=${a2.customerId}`)).points, [
    { miners: 1, hashrateMhs: 10e6, powerW: 500 },
    { miners: 1 },
  ]);
  t.same((await history(owner, `?siteId=${a2.siteId}&customerId=${a.customerId}`)).points, []);
  t.match((await history(owner, '?resolution=1h')).points, [
    { t: iso(T0), miners: 1, hashrateMhs: 90e6, powerW: 2900 },
  ]);
  t.same(
    (await history(owner, `?from=${iso(T0 + FIVE_MIN)}&to=${iso(T0 + 2 * FIVE_MIN)}`)).points.map(
      (p: { t: string }) => p.t,
    ),
    [iso(T0 + FIVE_MIN)],
    '[from, to)',
  );

  // A customer: its own miners only, whatever it names.
  t.same((await history(customer, `?customerId=${a2.customerId}`)).points, [], "another customer's: nothing");
  t.same((await history(customer, `?siteId=${a2.siteId}`)).points, [], 'a site without its miners: nothing');
  t.equal((await history(customer, `?customerId=${a.customerId}`)).points.length, 2);
  // Another tenant: its own fleet only; A's site or customer gives nothing.
  t.match((await history(other)).points, [{ miners: 1, hashrateMhs: 999e6 }, { miners: 1 }]);
  t.same((await history(other, `?siteId=${a.siteId}`)).points, []);
  t.same((await history(other, `?customerId=${a.customerId}`)).points, []);

  const refused = async (query: string, code = 'VALIDATION_FAILED') => {
    const response = await app.inject({
      method: 'GET',
      url: `/api/fleet/history${query}`,
      headers: bearer(owner),
    });
    t.equal(response.statusCode, 400, `${query}: ${response.body.slice(0, 200)}`);
    t.equal(response.json().code, code, query);
  };
  await refused(`?from=${iso(T0)}&to=${iso(T0)}`, 'FLEET_RANGE_INVALID');
  await refused(`?from=${iso(T0)}&to=${iso(T0 - 1)}`, 'FLEET_RANGE_INVALID');
  await refused(`?from=${iso(T0 - 8 * 86_400_000)}&to=${iso(T0)}`, 'FLEET_RANGE_TOO_LONG');
  await refused(`?resolution=1h&from=${iso(T0 - 90 * 86_400_000)}&to=${iso(T0)}`, 'FLEET_RANGE_TOO_LONG');
  await refused('?resolution=raw');
  await refused('?from=yesterday');
  await refused(`?siteId=${'x'.repeat(65)}`);
  await refused('?siteId=');
  await refused('?limit=5');
  t.equal(
    (
      await app.inject({
        method: 'GET',
        url: `/api/fleet/history?resolution=1h&from=${iso(T0 - 80 * 86_400_000)}&to=${iso(T0)}`,
        headers: bearer(owner),
      })
    ).statusCode,
    200,
    '80 days hourly is within the cap',
  );
  t.equal((await app.inject({ method: 'GET', url: '/api/fleet/history' })).statusCode, 401, 'anonymous: 401');
});
