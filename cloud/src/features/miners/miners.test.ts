// The miners list (filters, every sort both ways through cursor pages), the detail with history, and
// assignment to customers; on every dialect, with a second tenant whose rows must never show.
import type { FastifyInstance } from 'fastify';
import type { Test } from 'tap';
import type { Db } from '../../db/index.js';
import { uuidv7 } from '../../lib/ids.js';
import { testEachDialect } from '../../test/databases.js';
import { buildAppOver, insertAgent, insertMiner, type MinerSeed } from '../../test/fleet.js';
import { accessToken, bearer, seedTenant, type TestTenant } from '../../test/identities.js';
import { storeSamples } from '../telemetry/index.js';

const T0 = 1_795_000_000_000;
const IPS = ['10.0.0.9', '10.0.0.100', '9.255.255.255', '', 'fd00::2', 'fd00::1', '10.0.0.9', '192.168.1.1'];
const MODELS = ['Antminer S19 Pro', 'Antminer S21', 'Whatsminer M30S'];
const STATUSES = ['ok', 'ok', 'degraded', 'unreachable', 'offline', 'ok'];

interface Fleet {
  a: TestTenant;
  b: TestTenant;
  siteA2: string;
  seeds: MinerSeed[];
}

/** Tenant A: 24 miners on two agents and sites, 6 assigned to its customer; tenant B: 3 miners. */
async function seedFleet(db: Db): Promise<Fleet> {
  const a = await seedTenant(db, 'a');
  const b = await seedTenant(db, 'b');
  const siteA2 = uuidv7();
  await db
    .insertInto('site')
    .values({
      id: siteA2,
      tenant_id: a.tenantId,
      name: 'Second',
      location: '',
      timezone: 'UTC',
      created_at: T0,
    })
    .execute();
  await insertAgent(db, { id: 'agent-a1', tenantId: a.tenantId, siteId: a.siteId });
  await insertAgent(db, { id: 'agent-a2', tenantId: a.tenantId, siteId: siteA2 });
  await insertAgent(db, { id: 'agent-b1', tenantId: b.tenantId, siteId: b.siteId });
  const seeds: MinerSeed[] = [];
  for (let i = 0; i < 24; i++) {
    const agentId = i % 2 === 0 ? 'agent-a1' : 'agent-a2';
    seeds.push({
      agentId,
      id: `m${String(i).padStart(2, '0')}`,
      tenantId: a.tenantId,
      siteId: agentId === 'agent-a1' ? a.siteId : siteA2,
      customerId: i % 4 === 0 ? a.customerId : null,
      ip: IPS[i % IPS.length] ?? '',
      model: MODELS[i % MODELS.length] ?? '',
      lastSeenAt: T0 + ((i * 7) % 10) * 1000,
      ...(i % 7 === 6
        ? {}
        : {
            latest: {
              status: STATUSES[i % STATUSES.length] ?? 'ok',
              hashrateMhs: 100_000_000 + ((i * 37) % 11) * 1_000_000,
              hashrateExpectedMhs: 110_000_000,
              powerW: i % 5 === 0 ? null : 3000 + i,
              chipTempsDc: i % 3 === 0 ? [null] : [600 + ((i * 13) % 9) * 10, 650],
            },
          }),
    });
  }
  for (let i = 0; i < 3; i++) {
    seeds.push({
      agentId: 'agent-b1',
      id: `m0${i}`,
      tenantId: b.tenantId,
      siteId: b.siteId,
      customerId: b.customerId,
      ip: '10.0.0.9',
      latest: { status: 'ok', hashrateMhs: 1, hashrateExpectedMhs: 1, powerW: 1, chipTempsDc: [999] },
    });
  }
  for (const seed of seeds) await insertMiner(db, seed);
  return { a, b, siteA2, seeds };
}

/** Each miner's subnet blind index (ip_net_index), as stored: the `ip` sort's second key. */
type NetIndexes = Map<string, string>;

async function netIndexes(db: Db): Promise<NetIndexes> {
  const rows = await db.selectFrom('miner').select(['agent_id', 'id', 'ip_net_index']).execute();
  return new Map(rows.map((row) => [`${row.agent_id}/${row.id}`, row.ip_net_index]));
}

// The documented orders, computed independently of the SQL. `ip`: addresses are encrypted (ip.ts), so per site
// the subnets in blind-index order, each in host order (last octet or group); no address first.
const hostPart = (ip: string) =>
  ip === ''
    ? -1
    : ip.includes(':')
      ? Number.parseInt(ip.split(':').pop() ?? '0', 16)
      : Number(ip.split('.')[3]);
function sortValues(seed: MinerSeed, sort: string, nets: NetIndexes): (number | string)[] {
  const temps = seed.latest?.chipTempsDc.filter((x): x is number => x !== null) ?? [];
  const ip = seed.ip ?? '';
  const lead: Record<string, (number | string)[]> = {
    ip: [seed.siteId, nets.get(`${seed.agentId}/${seed.id}`) ?? '?', hostPart(ip)],
    hashrate: [seed.latest?.hashrateMhs ?? -1],
    temperature: [temps.length === 0 ? -100000 : Math.max(...temps)],
    lastSeen: [seed.lastSeenAt ?? 0],
    model: [seed.model ?? ''],
  };
  return [...(lead[sort] ?? []), seed.agentId, seed.id];
}
function expectedOrder(seeds: MinerSeed[], sort: string, order: 'asc' | 'desc', nets: NetIndexes): string[] {
  const cmp = (x: MinerSeed, y: MinerSeed) => {
    const [a, b] = [sortValues(x, sort, nets), sortValues(y, sort, nets)];
    for (let i = 0; i < a.length; i++) {
      const [p, q] = [a[i] as number | string, b[i] as number | string];
      if (p !== q) return p < q ? -1 : 1;
    }
    return 0;
  };
  const sorted = [...seeds].sort(cmp);
  return (order === 'asc' ? sorted : sorted.reverse()).map((s) => `${s.agentId}/${s.id}`);
}

async function get(app: FastifyInstance, token: string, url: string) {
  return app.inject({ method: 'GET', url, headers: bearer(token) });
}

/** Every page of a list, following nextCursor. */
async function walk(app: FastifyInstance, token: string, query: string): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 100; pages++) {
    const url: string = `/api/miners?${query}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
    const response = await get(app, token, url);
    if (response.statusCode !== 200) throw new Error(`${url}: ${response.body}`);
    const data = response.json().data as {
      miners: { agentId: string; id: string }[];
      nextCursor: string | null;
    };
    seen.push(...data.miners.map((m) => `${m.agentId}/${m.id}`));
    cursor = data.nextCursor;
    if (cursor === null) return seen;
  }
  throw new Error('more than 100 pages');
}

async function setup(t: Test, db: Db) {
  const fleet = await seedFleet(db);
  // Two minutes after the seeded samples: none is stale (the staleness test sets its own times).
  const app = await buildAppOver(t, db, () => T0 + 120_000);
  await app.ready(); // seals the seeded clear addresses (miners/ip-jobs.ts)
  const owner = await accessToken(app, db, fleet.a.users.owner);
  const customer = await accessToken(app, db, fleet.a.users.customer);
  return {
    ...fleet,
    app,
    owner,
    customer,
    ownSeeds: fleet.seeds.filter((s) => s.tenantId === fleet.a.tenantId),
  };
}

testEachDialect('every sort, both ways, pages through the whole fleet once and in order', async (t, db) => {
  const { app, owner, ownSeeds } = await setup(t, db);
  const nets = await netIndexes(db);
  for (const sort of ['ip', 'hashrate', 'temperature', 'lastSeen', 'model']) {
    for (const order of ['asc', 'desc'] as const) {
      const listed = await walk(app, owner, `sort=${sort}&order=${order}&limit=5`);
      t.same(listed, expectedOrder(ownSeeds, sort, order, nets), `${sort} ${order}`);
    }
  }
  const onePage = (await get(app, owner, '/api/miners?limit=500')).json().data;
  t.equal(onePage.miners.length, 24, 'tenant B is never listed');
  t.equal(onePage.nextCursor, null);
  // Was "IPv4 numerically": with encrypted addresses the default (ip) sort keeps each site's subnets together,
  // each in host order, instead of ordering subnets numerically.
  const runs: string[] = [];
  let previous: { key: string; host: number } | undefined;
  for (const m of onePage.miners as { siteId: string; ip: string }[]) {
    const key = `${m.siteId} ${m.ip.includes(':') ? m.ip.split(':').slice(0, 4).join(':') : m.ip.split('.').slice(0, 3).join('.')}`;
    const host = hostPart(m.ip);
    if (key !== previous?.key) runs.push(key);
    else t.ok(host >= previous.host, `${m.ip}: host order within its subnet`);
    previous = { key, host };
  }
  t.equal(new Set(runs).size, runs.length, 'each subnet of a site in one run');
  t.ok(runs.length >= 6, 'several subnets over two sites');
});

testEachDialect('filters: site, customer, agent, model, status, text', async (t, db) => {
  const { app, owner, ownSeeds, a, siteA2 } = await setup(t, db);
  const ids = async (query: string) => (await walk(app, owner, `${query}&sort=model`)).sort();
  const expect = (keep: (s: MinerSeed) => boolean) =>
    ownSeeds
      .filter(keep)
      .map((s) => `${s.agentId}/${s.id}`)
      .sort();
  t.same(
    await ids(`siteId=${siteA2}`),
    expect((s) => s.siteId === siteA2),
  );
  t.same(
    await ids(`customerId=${a.customerId}`),
    expect((s) => s.customerId === a.customerId),
  );
  t.same(
    await ids('agentId=agent-a1'),
    expect((s) => s.agentId === 'agent-a1'),
  );
  t.same(
    await ids('model=Antminer%20S21'),
    expect((s) => s.model === 'Antminer S21'),
  );
  t.same(
    await ids('status=ok'),
    expect((s) => s.latest?.status === 'ok'),
  );
  t.same(
    await ids('status=unknown'),
    expect((s) => s.latest === undefined),
  );
  t.same(
    await ids('q=WHATS'),
    expect((s) => (s.model ?? '').includes('Whats')),
    'q ignores case',
  );
  // Was q=fd00:: (a substring): addresses are encrypted, so a search names an address or a subnet (ip.ts).
  t.same(
    await ids('q=fd00::/64'),
    expect((s) => (s.ip ?? '').startsWith('fd00::')),
  );
  t.same(await ids('q=%25'), [], 'a % in q is a literal, not a wildcard');
  t.same(
    await ids(`siteId=${a.siteId}&status=ok&model=Antminer%20S19%20Pro`),
    expect((s) => s.siteId === a.siteId && s.latest?.status === 'ok' && s.model === 'Antminer S19 Pro'),
  );
});

testEachDialect(
  'cursors: bound to their sort and filters, tamper-proof in shape, never widen the scope',
  async (t, db) => {
    const { app, owner, customer } = await setup(t, db);
    const first = (await get(app, owner, '/api/miners?sort=hashrate&limit=3')).json().data;
    const cursor = first.nextCursor as string;
    t.type(cursor, 'string');
    const cases: [string, string][] = [
      ['another sort', `/api/miners?sort=ip&limit=3&cursor=${cursor}`],
      ['another order', `/api/miners?sort=hashrate&order=desc&limit=3&cursor=${cursor}`],
      ['another filter', `/api/miners?sort=hashrate&limit=3&status=ok&cursor=${cursor}`],
      ['garbage', '/api/miners?cursor=not-a-cursor'],
      [
        'a string where a number goes',
        `/api/miners?sort=hashrate&limit=3&cursor=${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(cursor, 'base64url').toString()), k: ['x', 'a', 'b'] })).toString('base64url')}`,
      ],
    ];
    for (const [name, url] of cases) {
      const response = await get(app, owner, url);
      t.equal(response.statusCode, 400, name);
      t.equal(response.json().code, 'MINERS_CURSOR_INVALID', name);
    }
    // The owner's cursor in a customer's hands continues the customer's own list only.
    const listed = await get(app, customer, `/api/miners?sort=hashrate&limit=500&cursor=${cursor}`);
    t.equal(listed.statusCode, 200);
    t.ok(
      listed.json().data.miners.every((m: { customerId: string }) => m.customerId !== null),
      'only assigned miners',
    );
  },
);

testEachDialect('customers see their own miners only; guests see no fleet', async (t, db) => {
  const { app, customer, ownSeeds, a, db: _db } = { ...(await setup(t, db)), db };
  const listed = await walk(app, customer, 'limit=2');
  t.same(
    listed.sort(),
    ownSeeds
      .filter((s) => s.customerId === a.customerId)
      .map((s) => `${s.agentId}/${s.id}`)
      .sort(),
  );
  const unassigned = ownSeeds.find((s) => s.customerId === null);
  const detail = await get(app, customer, `/api/miners/${unassigned?.agentId}/${unassigned?.id}`);
  t.equal(detail.statusCode, 404);
  t.equal(detail.json().code, 'MINERS_NOT_FOUND');
  const guest = await accessToken(app, _db, a.users.guest);
  for (const url of ['/api/miners', '/api/fleet/summary', '/api/miners/agent-a1/m00']) {
    t.equal((await get(app, guest, url)).statusCode, 403, url);
  }
});

testEachDialect('detail: latest state and the history at the chosen resolution', async (t, db) => {
  const { app, owner } = await setup(t, db);
  const samples = [0, 1, 2, 3, 7].map((minute) => ({
    agent_id: 'agent-a1',
    miner_id: 'm02',
    time_ms: T0 + minute * 60_000,
    status: 'ok',
    hashrate_mhs: 100_000_000 + minute,
    hashrate_avg_mhs: 100_000_000,
    hashrate_expected_mhs: 110_000_000,
    power_w: 3000,
    chip_temp_max_dc: 700 + minute,
    board_temp_max_dc: 600,
    fan_min_rpm: 5000,
    fan_max_rpm: 5400,
    accepted: minute,
    rejected: 0,
  }));
  await storeSamples(db, samples, T0 + 10 * 60_000);
  const from = new Date(T0).toISOString();
  const to = new Date(T0 + 5 * 60_000).toISOString();
  const raw = await get(app, owner, `/api/miners/agent-a1/m02?resolution=raw&from=${from}&to=${to}`);
  t.equal(raw.statusCode, 200, raw.body);
  const data = raw.json().data;
  t.match(data.miner, { agentId: 'agent-a1', id: 'm02', model: 'Whatsminer M30S', status: 'degraded' });
  t.equal(data.miner.temperatureC, Math.max(600 + ((2 * 13) % 9) * 10, 650) / 10, 'hottest chip');
  t.same(
    data.history.points.map((p: { time: string; hashrateMhs: number; chipTempMaxC: number }) => [
      p.time,
      p.hashrateMhs,
      p.chipTempMaxC,
    ]),
    [0, 1, 2, 3].map((m) => [new Date(T0 + m * 60_000).toISOString(), 100_000_000 + m, (700 + m) / 10]),
    'raw samples in [from, to)',
  );
  t.match(data.history, { resolution: 'raw', from, to, truncated: false });
  const missing = await get(app, owner, '/api/miners/agent-b1/m00');
  t.equal(missing.statusCode, 404, "another tenant's miner");
  t.equal(missing.json().code, 'MINERS_NOT_FOUND');
  const backwards = await get(app, owner, `/api/miners/agent-a1/m02?from=${to}&to=${from}`);
  t.equal(backwards.json().code, 'MINERS_RANGE_INVALID');
});

testEachDialect(
  "assignment: single and bulk, all or nothing, only to the tenant's own customers",
  async (t, db) => {
    const { app, owner, a, b, customer } = await setup(t, db);
    const put = (token: string, url: string, payload: unknown) =>
      app.inject({ method: 'PUT', url, headers: bearer(token), payload: payload as object });
    const customerOf = async (agentId: string, id: string) =>
      (
        await db
          .selectFrom('miner')
          .select('customer_id')
          .where('agent_id', '=', agentId)
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
      ).customer_id;

    const single = await put(owner, '/api/miners/agent-a2/m01/customer', { customerId: a.customerId });
    t.equal(single.statusCode, 200, single.body);
    t.same(single.json().data, { updated: 1, customerId: a.customerId });
    t.equal(await customerOf('agent-a2', 'm01'), a.customerId);

    const bulk = await put(owner, '/api/miners/customer', {
      miners: [
        { agentId: 'agent-a2', minerId: 'm03' },
        { agentId: 'agent-a2', minerId: 'm05' },
        { agentId: 'agent-a2', minerId: 'm05' },
      ],
      customerId: a.customerId,
    });
    t.same(bulk.json().data, { updated: 2, customerId: a.customerId }, 'duplicates count once');

    const foreignCustomer = await put(owner, '/api/miners/agent-a2/m07/customer', {
      customerId: b.customerId,
    });
    t.equal(foreignCustomer.statusCode, 404);
    t.equal(foreignCustomer.json().code, 'CUSTOMERS_NOT_FOUND');
    t.equal(await customerOf('agent-a2', 'm07'), null);

    const mixed = await put(owner, '/api/miners/customer', {
      miners: [
        { agentId: 'agent-a2', minerId: 'm07' },
        { agentId: 'agent-b1', minerId: 'm00' },
      ],
      customerId: null,
    });
    t.equal(mixed.statusCode, 404);
    t.equal(mixed.json().code, 'MINERS_NOT_FOUND');
    t.equal(await customerOf('agent-b1', 'm00'), b.customerId, "B's miner untouched");

    const unassign = await put(owner, '/api/miners/agent-a2/m01/customer', { customerId: null });
    t.equal(unassign.statusCode, 200);
    t.equal(await customerOf('agent-a2', 'm01'), null);

    const byCustomer = await put(customer, '/api/miners/agent-a1/m00/customer', { customerId: null });
    t.equal(byCustomer.statusCode, 403, 'customers cannot assign');
  },
);

testEachDialect(
  'miner_latest.temp_max_dc follows every write of detail (the database keeps it)',
  async (t, db) => {
    const a = await seedTenant(db, 'a');
    await insertAgent(db, { id: 'agent-a1', tenantId: a.tenantId, siteId: a.siteId });
    await insertMiner(db, {
      agentId: 'agent-a1',
      id: 'm1',
      tenantId: a.tenantId,
      siteId: a.siteId,
      latest: { status: 'ok', hashrateMhs: 1, hashrateExpectedMhs: 1, powerW: 1, chipTempsDc: [610, 720] },
    });
    const temp = async () =>
      (
        await db
          .selectFrom('miner_latest')
          .select('temp_max_dc')
          .where('agent_id', '=', 'agent-a1')
          .where('miner_id', '=', 'm1')
          .executeTakeFirstOrThrow()
      ).temp_max_dc;
    t.equal(await temp(), 720, 'set on insert: the hottest chip');
    const board = (chipTempDc: number | null, boardTempDc: number | null) => ({ chipTempDc, boardTempDc });
    const write = (detail: string) =>
      db
        .updateTable('miner_latest')
        .set({ detail })
        .where('agent_id', '=', 'agent-a1')
        .where('miner_id', '=', 'm1')
        .execute();
    await write(
      JSON.stringify({ boards: [board(null, 580), board(560, 900)], fansRpm: [], pools: [], errors: [] }),
    );
    t.equal(await temp(), 580, 'on update; a board without a chip temperature counts its board temperature');
    await write(JSON.stringify({ boards: [board(null, null)], fansRpm: [], pools: [], errors: [] }));
    t.equal(await temp(), null, 'null without any temperature');
    await write(JSON.stringify({ fansRpm: [], pools: [], errors: [] }));
    t.equal(await temp(), null, 'null without boards');
    await db
      .updateTable('miner_latest')
      .set({ status: 'offline' })
      .where('agent_id', '=', 'agent-a1')
      .execute();
    t.equal(await temp(), null, 'other columns leave it alone');
  },
);

testEachDialect(
  'stale: an old sample or an offline agent reads as stale in list, filter, detail and summary',
  async (t, db) => {
    const a = await seedTenant(db, 'a');
    await insertAgent(db, { id: 'agent-on', tenantId: a.tenantId, siteId: a.siteId });
    await insertAgent(db, { id: 'agent-off', tenantId: a.tenantId, siteId: a.siteId });
    await db.updateTable('agent').set({ online: 0 }).where('id', '=', 'agent-off').execute();
    const NOW = T0 + 1_000_000;
    const seed = (agentId: string, id: string, status: string | null, timeMs: number) =>
      insertMiner(db, {
        agentId,
        id,
        tenantId: a.tenantId,
        siteId: a.siteId,
        lastSeenAt: timeMs,
        ...(status === null
          ? {}
          : {
              latest: {
                status,
                hashrateMhs: 1e6,
                hashrateExpectedMhs: 1e6,
                powerW: 100,
                chipTempsDc: [600],
                timeMs,
              },
            }),
      });
    await seed('agent-on', 'fresh', 'ok', NOW - 299_000);
    await seed('agent-on', 'edge', 'ok', NOW - 300_000); // exactly the threshold: not yet stale
    await seed('agent-on', 'old', 'ok', NOW - 301_000);
    await seed('agent-off', 'orphan', 'ok', NOW - 1_000); // fresh sample, but its agent is offline
    await seed('agent-on', 'down', 'unreachable', NOW - 1_000);
    await seed('agent-on', 'new', null, NOW);
    const app = await buildAppOver(t, db, () => NOW);
    const owner = bearer(await accessToken(app, db, a.users.owner));
    const get = async (url: string) => (await app.inject({ method: 'GET', url, headers: owner })).json().data;

    const all = await get('/api/miners?sort=model&limit=10');
    t.same(Object.fromEntries(all.miners.map((m: { id: string; status: string }) => [m.id, m.status])), {
      fresh: 'ok',
      edge: 'ok',
      old: 'stale',
      orphan: 'stale',
      down: 'unreachable',
      new: 'unknown',
    });
    const first = await get('/api/miners?status=stale&limit=1');
    const second = await get(`/api/miners?status=stale&limit=1&cursor=${first.nextCursor}`);
    t.same(
      [...first.miners, ...second.miners].map((m: { id: string }) => m.id).sort(),
      ['old', 'orphan'],
      'the filter pages through exactly the stale miners',
    );
    t.equal(second.nextCursor, null);
    t.same((await get('/api/miners?status=ok')).miners.map((m: { id: string }) => m.id).sort(), [
      'edge',
      'fresh',
    ]);
    t.equal((await get('/api/miners/agent-on/old')).miner.status, 'stale', 'the detail too');
    t.equal((await get('/api/miners/agent-on/fresh')).miner.status, 'ok');

    const summary = await get('/api/fleet/summary');
    t.same(summary.miners, { total: 6, online: 2, offline: 1, unknown: 1, stale: 2 });
    t.equal(summary.hashrateMhs, 2e6, 'only the fresh online miners hash');
    t.same((await get('/api/fleet/summary?status=stale')).miners, {
      total: 2,
      online: 0,
      offline: 0,
      unknown: 0,
      stale: 2,
    });
  },
);
