// Portal Lite: a hosting client sees exactly its own miners and numbers through every portal route — never another
// customer's of the same tenant or of another tenant, by id guessing, filters or cursors (forged, other customers'
// or other tenants') — with ETags, per-client rate limits and customer API keys; and a customer is refused on
// every operator route. On every dialect.
import type { FastifyInstance } from 'fastify';
import type { Test } from 'tap';
import { buildApp } from '../../app.js';
import type { Db } from '../../db/index.js';
import { uuidv7 } from '../../lib/ids.js';
import { PERMISSIONS } from '../../plugins/access.js';
import { createEmbeddedBroker } from '../../plugins/broker.js';
import { testEachDialect } from '../../test/databases.js';
import { buildAppOver, insertAgent, insertMiner } from '../../test/fleet.js';
import { captureLogs, JWT_SECRET } from '../../test/helpers.js';
import { accessToken, bearer, insertApiKey, seedTenant, type TestTenant } from '../../test/identities.js';
import { rollupRange, storeSamples } from '../telemetry/service.js';

const T0 = Date.UTC(2026, 10, 20);
const NOW = T0 + 3_600_000;

interface Customer {
  label: string;
  tenant: TestTenant;
  miners: string[];
  /** TH/s each of its miners hashes: distinct per customer, so a leaked number is recognisable. */
  ths: number;
}

async function seed(db: Db) {
  const a = await seedTenant(db, 'a');
  const a2 = await seedTenant(db, 'a2', a.tenantId); // a second customer of the same tenant
  const b = await seedTenant(db, 'b');
  await insertAgent(db, { id: 'agent-a', tenantId: a.tenantId, siteId: a.siteId });
  await insertAgent(db, { id: 'agent-b', tenantId: b.tenantId, siteId: b.siteId });
  const customers: Customer[] = [
    { label: 'c1', tenant: a, miners: [], ths: 137.5 },
    { label: 'c2', tenant: a2, miners: [], ths: 246.75 },
    { label: 'cb', tenant: b, miners: [], ths: 359.125 },
  ];
  const sizes = { c1: 7, c2: 3, cb: 3 } as const;
  const samples = [];
  for (const customer of customers) {
    const agentId = customer.tenant === b ? 'agent-b' : 'agent-a';
    for (let i = 0; i < sizes[customer.label as keyof typeof sizes]; i++) {
      const id = `${customer.label}-m${i}`;
      customer.miners.push(id);
      await insertMiner(db, {
        agentId,
        id,
        tenantId: customer.tenant.tenantId,
        siteId: customer.tenant.siteId,
        customerId: customer.tenant.customerId,
        model: 'Antminer S19 Pro',
        lastSeenAt: NOW - 30_000,
        latest: {
          status: 'ok',
          hashrateMhs: customer.ths * 1e6,
          hashrateExpectedMhs: 110e6,
          powerW: 3000 + Math.round(customer.ths),
          chipTempsDc: [650],
          timeMs: NOW - 30_000,
        },
      });
      // An hour of samples: the miner goes offline for minutes 20-29 (two status events), hashing otherwise.
      for (let minute = 0; minute < 60; minute++) {
        const on = minute < 20 || minute >= 30;
        samples.push({
          agent_id: agentId,
          miner_id: id,
          time_ms: T0 + minute * 60_000,
          status: on ? 'ok' : 'offline',
          hashrate_mhs: on ? customer.ths * 1e6 : 0,
          hashrate_avg_mhs: 0,
          hashrate_expected_mhs: 110e6,
          power_w: on ? 3000 : 10,
          chip_temp_max_dc: 650,
          board_temp_max_dc: 600,
          fan_min_rpm: 5000,
          fan_max_rpm: 5200,
          accepted: minute,
          rejected: 0,
        });
      }
    }
  }
  // Two miners of tenant A assigned to nobody.
  for (const id of ['free-m0', 'free-m1'])
    await insertMiner(db, {
      agentId: 'agent-a',
      id,
      tenantId: a.tenantId,
      siteId: a.siteId,
      customerId: null,
      latest: {
        status: 'ok',
        hashrateMhs: 404e6,
        hashrateExpectedMhs: 1,
        powerW: 1,
        chipTempsDc: [700],
        timeMs: NOW - 30_000,
      },
    });
  await storeSamples(db, samples, NOW);
  await rollupRange(db, '5m', T0, NOW);
  await rollupRange(db, '1h', T0, NOW);
  return { a, a2, b, customers };
}

async function apiKey(db: Db, tenant: TestTenant, role: 'customer' | 'admin' = 'customer') {
  const key = `hik_portal_${role}_${tenant.customerId.slice(-8)}_${'k'.repeat(16)}`;
  await insertApiKey(db, tenant, role, key);
  return { authorization: `ApiKey ${key}` };
}

const HOUR = `from=${new Date(T0).toISOString()}&to=${new Date(NOW).toISOString()}`;
const PORTAL_GETS = [
  '/api/v1/portal/miners?limit=500',
  '/api/v1/portal/summary',
  `/api/v1/portal/hashrate?resolution=5m&${HOUR}`,
  `/api/v1/portal/uptime?${HOUR}&sla=99`,
  `/api/v1/portal/earnings?${HOUR}&electricity_cost=0.05`,
  `/api/v1/portal/events?${HOUR}&limit=500`,
];

async function get(app: FastifyInstance, headers: Record<string, string>, url: string) {
  return app.inject({ method: 'GET', url, headers });
}

async function walkMiners(app: FastifyInstance, headers: Record<string, string>, query = 'limit=2') {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 50; i++) {
    const url: string = `/api/v1/portal/miners?${query}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
    const response = await get(app, headers, url);
    if (response.statusCode !== 200) throw new Error(`${url}: ${response.body}`);
    const data = response.json().data;
    ids.push(...data.miners.map((m: { minerId: string }) => m.minerId));
    cursor = data.nextCursor;
    if (cursor === null) return ids;
  }
  throw new Error('too many pages');
}

async function setup(t: Test, db: Db) {
  const seeded = await seed(db);
  const app = await buildAppOver(t, db, () => NOW);
  const [c1, c2, cb] = seeded.customers as [Customer, Customer, Customer];
  const identities: [string, Customer, Record<string, string>][] = [
    ['c1 user', c1, bearer(await accessToken(app, db, c1.tenant.users.customer))],
    ['c1 API key', c1, await apiKey(db, c1.tenant)],
    ['c2 user (same tenant)', c2, bearer(await accessToken(app, db, c2.tenant.users.customer))],
    ['cb user (other tenant)', cb, bearer(await accessToken(app, db, cb.tenant.users.customer))],
  ];
  return { ...seeded, app, c1, c2, cb, identities };
}

testEachDialect("every portal route answers with the caller's own miners and numbers only", async (t, db) => {
  const { app, customers, identities } = await setup(t, db);
  for (const [who, me, headers] of identities) {
    const others = customers.filter((c) => c !== me);
    for (const url of PORTAL_GETS) {
      const response = await get(app, headers, url);
      t.equal(response.statusCode, 200, `${who} ${url}: ${response.statusCode === 200 ? '' : response.body}`);
      for (const other of others) {
        for (const id of other.miners)
          t.notOk(response.body.includes(`"${id}"`), `${who} ${url} never names ${id}`);
        t.notOk(response.body.includes(`${other.ths}`), `${who} ${url} carries no number of ${other.label}`);
      }
      for (const id of ['free-m0', 'free-m1'])
        t.notOk(response.body.includes(id), `${who} ${url}: unassigned miners never show`);
    }
    t.same(
      (await walkMiners(app, headers)).sort(),
      [...me.miners].sort(),
      `${who}: pages through exactly its miners`,
    );
    const summary = (await get(app, headers, '/api/v1/portal/summary')).json().data;
    t.match(
      summary,
      {
        miners: { total: me.miners.length, online: me.miners.length, byStatus: { ok: me.miners.length } },
        hashrateThs: me.ths * me.miners.length,
        expectedHashrateThs: 110 * me.miners.length,
        unknownModels: 0,
      },
      `${who}: summary of its own fleet`,
    );
    const history = (await get(app, headers, `/api/v1/portal/hashrate?resolution=5m&${HOUR}`)).json().data;
    t.equal(history.points.length, 12);
    t.same(history.points[0], {
      time: new Date(T0).toISOString(),
      miners: me.miners.length,
      onlineMiners: me.miners.length,
      hashrateThs: me.ths * me.miners.length,
      powerW: 3000 * me.miners.length,
    });
    t.equal(history.points[4].onlineMiners, 0, 'minutes 20-24 offline');
    const uptime = (await get(app, headers, `/api/v1/portal/uptime?${HOUR}&sla=99`)).json().data;
    t.match(uptime, {
      uptimePercent: 83.333,
      slaMet: false,
      periods: [{ start: new Date(T0).toISOString(), samples: 60 * me.miners.length, slaMet: false }],
    });
    const earnings = (await get(app, headers, `/api/v1/portal/earnings?${HOUR}&electricity_cost=0.05`)).json()
      .data;
    t.equal(earnings.miners, me.miners.length);
    t.ok(
      Math.abs(earnings.measured.avg_hashrate_th - (me.ths * me.miners.length * 50) / 60) < 1e-6,
      `${who}: earnings from its measured hashrate`,
    );
    t.ok(earnings.period.revenue > 0 && earnings.period.electricity_cost > 0);
    const events = (await get(app, headers, `/api/v1/portal/events?${HOUR}&limit=500`)).json().data;
    t.equal(events.events.length, 2 * me.miners.length, `${who}: offline and back for each of its miners`);
    t.match(events.events[0], {
      type: 'miner.status',
      from: 'offline',
      to: 'ok',
      time: new Date(T0 + 30 * 60_000).toISOString(),
    });
  }
});

testEachDialect('id guessing, filters and cursors never reach another customer', async (t, db) => {
  const { app, c1, c2, cb, identities } = await setup(t, db);
  const [, , c1Headers] = identities[0] as [string, Customer, Record<string, string>];
  const [, , c1KeyHeaders] = identities[1] as [string, Customer, Record<string, string>];
  const [, , c2Headers] = identities[2] as [string, Customer, Record<string, string>];
  const [, , cbHeaders] = identities[3] as [string, Customer, Record<string, string>];
  const own = await get(app, c1Headers, `/api/v1/portal/miners/agent-a/${c1.miners[0]}`);
  t.equal(own.statusCode, 200);
  t.match(own.json().data, {
    minerId: c1.miners[0],
    hashrateThs: 137.5,
    expectedHashrateThs: 110,
    temperatureC: 65,
  });
  const missing = await get(app, c1Headers, '/api/v1/portal/miners/agent-a/no-such-miner');
  const strip = (r: { statusCode: number; body: string }) => ({
    status: r.statusCode,
    body: { ...JSON.parse(r.body), timestamp: 0 },
  });
  for (const [agent, id] of [
    ['agent-a', c2.miners[0]],
    ['agent-b', cb.miners[0]],
    ['agent-a', 'free-m0'],
  ]) {
    const guessed = await get(app, c1Headers, `/api/v1/portal/miners/${agent}/${id}`);
    t.same(strip(guessed), strip(missing), `${agent}/${id} answers exactly as a missing miner`);
    t.equal(guessed.json().code, 'PORTAL_MINER_NOT_FOUND');
  }
  for (const query of ['q=c2-', 'q=cb-', 'q=free', 'model=Antminer%20S21', 'status=offline']) {
    t.same(await walkMiners(app, c1Headers, query), [], `filter ${query} finds none of the others`);
  }
  t.same(
    (await walkMiners(app, c1Headers, 'q=m1')).sort(),
    ['c1-m1'],
    'a filter narrows within its own miners',
  );
  t.equal(
    (await get(app, c1Headers, '/api/v1/portal/miners?customerId=x')).statusCode,
    400,
    'no customer filter to widen with',
  );

  const first = (await get(app, c1Headers, '/api/v1/portal/miners?limit=2')).json().data;
  const cursor = first.nextCursor as string;
  const [body, mac] = cursor.split('.') as [string, string];
  const forged = Buffer.from(JSON.stringify(['agent-a', 'c2-m0'])).toString('base64url');
  const cases: [string, Record<string, string>, string][] = [
    ["c1's cursor in c2's hands (same tenant)", c2Headers, cursor],
    ["c1's cursor in another tenant's customer's hands", cbHeaders, cursor],
    ['a forged position with the old signature', c1Headers, `${forged}.${mac}`],
    ['a forged position without one', c1Headers, forged],
    ['a truncated signature', c1Headers, `${body}.${mac.slice(0, 10)}`],
    ['garbage', c1Headers, 'not-a-cursor'],
    ['the cursor of other filters', c1Headers, `${cursor}&status=ok`],
  ];
  for (const [name, headers, given] of cases) {
    const response = await get(
      app,
      headers,
      `/api/v1/portal/miners?limit=2&cursor=${given.includes('&') ? given : encodeURIComponent(given)}`,
    );
    t.equal(response.statusCode, 400, name);
    t.equal(response.json().code, 'PORTAL_CURSOR_INVALID', name);
  }
  const sameCustomerKey = await get(
    app,
    c1KeyHeaders,
    `/api/v1/portal/miners?limit=2&cursor=${encodeURIComponent(cursor)}`,
  );
  t.equal(sameCustomerKey.statusCode, 200, "the customer's own API key may continue its login's list");
  const eventsPage = (await get(app, c1Headers, `/api/v1/portal/events?${HOUR}&limit=3`)).json().data;
  const otherEvents = await get(
    app,
    c2Headers,
    `/api/v1/portal/events?${HOUR}&limit=3&cursor=${encodeURIComponent(eventsPage.nextCursor)}`,
  );
  t.equal(otherEvents.json().code, 'PORTAL_CURSOR_INVALID', "another customer's events cursor");
  // Walking the events by cursor gives every event once, newest first.
  const seen: string[] = [];
  let next: string | null = null;
  do {
    const url: string = `/api/v1/portal/events?${HOUR}&limit=3${next === null ? '' : `&cursor=${encodeURIComponent(next)}`}`;
    const page = (await get(app, c1Headers, url)).json().data;
    seen.push(...page.events.map((e: { time: string; minerId: string }) => `${e.time} ${e.minerId}`));
    next = page.nextCursor;
  } while (next !== null);
  t.equal(seen.length, 14);
  t.same(seen, [...seen].sort().reverse(), 'newest first, no repeats');
  t.equal(new Set(seen).size, 14);
});

testEachDialect(
  'a customer is refused on every operator route; operators are refused on the portal',
  async (t, db) => {
    const { app, c1, identities } = await setup(t, db);
    await app.ready();
    const operatorRoutes = app.routeAccess.filter((r) => r.access === 'hosting' || r.access === 'admin');
    t.ok(operatorRoutes.length >= 15, `${operatorRoutes.length} operator routes`);
    for (const [who, , headers] of identities.slice(0, 2)) {
      for (const route of operatorRoutes) {
        const url = route.url.replace(/:[A-Za-z_]+/g, () => uuidv7());
        const payload = ['POST', 'PUT', 'PATCH'].includes(route.method) ? { payload: {} } : {};
        const response = await app.inject({ method: route.method as 'GET', url, headers, ...payload });
        t.equal(response.statusCode, 403, `${who}: ${route.method} ${route.url}`);
      }
    }
    t.same(PERMISSIONS.portal, ['customer']);
    for (const role of ['owner', 'admin', 'mining_site', 'guest'] as const) {
      const response = await get(
        app,
        bearer(await accessToken(app, db, c1.tenant.users[role])),
        '/api/v1/portal/summary',
      );
      t.equal(response.statusCode, 403, `${role} has no portal`);
    }
    const adminKey = await apiKey(db, c1.tenant, 'admin');
    t.equal(
      (await get(app, adminKey, '/api/v1/portal/miners')).statusCode,
      403,
      'an admin API key has no portal',
    );
  },
);

testEachDialect('ETags: If-None-Match answers 304 until the data changes', async (t, db) => {
  const { app, identities } = await setup(t, db);
  const [, , headers] = identities[0] as [string, Customer, Record<string, string>];
  for (const url of PORTAL_GETS) {
    const first = await get(app, headers, url);
    const etag = first.headers.etag as string;
    t.match(etag, /^W\/"[A-Za-z0-9_-]+"$/, url);
    const again = await get(app, { ...headers, 'if-none-match': etag }, url);
    t.equal(again.statusCode, 304, `${url}: unchanged`);
    t.equal(again.body, '', 'no body');
    t.equal(
      (await get(app, { ...headers, 'if-none-match': 'W/"other"' }, url)).statusCode,
      200,
      'another tag: 200',
    );
  }
  const url = '/api/v1/portal/miners';
  const etag = (await get(app, headers, url)).headers.etag as string;
  await db.updateTable('miner_latest').set({ hashrate_mhs: 99e6 }).where('miner_id', '=', 'c1-m0').execute();
  const changed = await get(app, { ...headers, 'if-none-match': etag }, url);
  t.equal(changed.statusCode, 200, 'changed data: a full answer');
  t.not(changed.headers.etag, etag);
});

testEachDialect('rate limits are per client: an API key and the user count apart', async (t, db) => {
  const seeded = await seed(db);
  const { logger } = captureLogs();
  const broker = await createEmbeddedBroker(logger, { verifyAgent: async () => false });
  const app = await buildApp({
    db,
    broker,
    jwtSecret: JWT_SECRET,
    logger,
    now: () => NOW,
    portalRatePerMinute: 3,
  });
  t.teardown(async () => {
    await app.close();
    await broker.close();
  });
  const c1 = seeded.customers[0] as Customer;
  const key = await apiKey(db, c1.tenant);
  const user = bearer(await accessToken(app, db, c1.tenant.users.customer));
  const other = bearer(await accessToken(app, db, (seeded.customers[1] as Customer).tenant.users.customer));
  for (let i = 0; i < 3; i++) t.equal((await get(app, key, '/api/v1/portal/summary')).statusCode, 200);
  const limited = await get(app, key, '/api/v1/portal/summary');
  t.equal(limited.statusCode, 429);
  t.equal(limited.json().code, 'RATE_LIMITED');
  t.equal(
    (await get(app, user, '/api/v1/portal/summary')).statusCode,
    200,
    'the user of the same customer has its own budget',
  );
  t.equal((await get(app, other, '/api/v1/portal/summary')).statusCode, 200, 'another customer too');
});

testEachDialect('bad portal queries are 400', async (t, db) => {
  const { app, identities } = await setup(t, db);
  const [, , headers] = identities[0] as [string, Customer, Record<string, string>];
  for (const url of [
    '/api/v1/portal/miners?limit=0',
    '/api/v1/portal/miners?limit=501',
    '/api/v1/portal/miners?status=exploded',
    `/api/v1/portal/hashrate?resolution=raw`,
    `/api/v1/portal/uptime?sla=101`,
    `/api/v1/portal/earnings`,
    `/api/v1/portal/earnings?electricity_cost=-1`,
    `/api/v1/portal/events?from=${new Date(T0 - 2 * 86_400_000).toISOString()}&to=${new Date(T0).toISOString()}`,
    `/api/v1/portal/hashrate?from=${new Date(NOW).toISOString()}&to=${new Date(T0).toISOString()}`,
    `/api/v1/portal/miners?cursor=${'x'.repeat(2000)}`,
  ]) {
    const response = await get(app, headers, url);
    t.equal(response.statusCode, 400, url);
  }
});
