// The fleet summary on every dialect, against figures computed by hand.
import { testEachDialect } from '../../test/databases.js';
import { buildAppOver, insertAgent, insertMiner } from '../../test/fleet.js';
import { accessToken, bearer, seedTenant } from '../../test/identities.js';

/** insertMiner's default sample and last-seen time. */
const SAMPLE_AT = 1_795_000_000_000;

testEachDialect('summary: totals, counts, efficiency, temperatures, per site, scoped', async (t, db) => {
  const a = await seedTenant(db, 'a');
  const b = await seedTenant(db, 'b');
  await insertAgent(db, { id: 'agent-a', tenantId: a.tenantId, siteId: a.siteId });
  await insertAgent(db, { id: 'agent-b', tenantId: b.tenantId, siteId: b.siteId });
  const base = { agentId: 'agent-a', tenantId: a.tenantId, siteId: a.siteId };
  // Online: m1 (100 TH/s, 3000 W, chips 70.0/65.0 °C), m2 (50 TH/s, no power reading, 80.5 °C), m3 degraded
  // (25 TH/s, 1000 W, no temperature). Offline: m4 unreachable. Unknown: m5 (no sample).
  await insertMiner(db, {
    ...base,
    id: 'm1',
    customerId: a.customerId,
    latest: {
      status: 'ok',
      hashrateMhs: 100e6,
      hashrateExpectedMhs: 110e6,
      powerW: 3000,
      chipTempsDc: [700, 650],
    },
  });
  await insertMiner(db, {
    ...base,
    id: 'm2',
    latest: { status: 'ok', hashrateMhs: 50e6, hashrateExpectedMhs: 55e6, powerW: null, chipTempsDc: [805] },
  });
  await insertMiner(db, {
    ...base,
    id: 'm3',
    latest: {
      status: 'degraded',
      hashrateMhs: 25e6,
      hashrateExpectedMhs: 30e6,
      powerW: 1000,
      chipTempsDc: [null],
    },
  });
  await insertMiner(db, {
    ...base,
    id: 'm4',
    latest: {
      status: 'unreachable',
      hashrateMhs: 0,
      hashrateExpectedMhs: 100e6,
      powerW: null,
      chipTempsDc: [990],
    },
  });
  await insertMiner(db, { ...base, id: 'm5' });
  await insertMiner(db, {
    agentId: 'agent-b',
    id: 'm1',
    tenantId: b.tenantId,
    siteId: b.siteId,
    latest: { status: 'ok', hashrateMhs: 999e6, hashrateExpectedMhs: 999e6, powerW: 9999, chipTempsDc: [10] },
  });
  // A minute after the samples (insertMiner's default time): none is stale.
  const app = await buildAppOver(t, db, () => SAMPLE_AT + 60_000);
  const summary = async (token: string, query = '') =>
    (await app.inject({ method: 'GET', url: `/api/fleet/summary${query}`, headers: bearer(token) })).json()
      .data;

  const owner = await accessToken(app, db, a.users.owner);
  const all = await summary(owner);
  const expected = {
    miners: { total: 5, online: 3, offline: 1, unknown: 1, stale: 0 },
    hashrateMhs: 175e6,
    hashrateThs: 175,
    expectedHashrateMhs: 295e6,
    expectedHashrateThs: 295,
    powerW: 4000,
    // 4000 W over the 125 TH/s of the miners that report power.
    efficiencyJTh: 32,
    temperatureC: { min: 70, avg: 75.3, max: 80.5 },
  };
  t.same({ ...all, sites: undefined }, { ...expected, sites: undefined });
  t.same(all.sites, [{ siteId: a.siteId, siteName: 'Site a', ...expected }], 'one site, the same figures');

  const customer = await accessToken(app, db, a.users.customer);
  t.match(await summary(customer), {
    miners: { total: 1, online: 1 },
    hashrateMhs: 100e6,
    efficiencyJTh: 30,
    temperatureC: { min: 70, avg: 70, max: 70 },
  });
  t.match(await summary(owner, '?status=unknown'), { miners: { total: 1, unknown: 1 }, efficiencyJTh: null });
  t.match(
    await summary(owner, `?siteId=${b.siteId}`),
    { miners: { total: 0 }, sites: [] },
    "B's site: nothing",
  );
});
