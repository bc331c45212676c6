// Network data: recorded answers from a loopback server (never the internet); every kind of failure — timeouts,
// 500s, garbage, absurd values, oversized bodies, refused connections — falls back to the last good snapshot
// (or the static values) and says so; on every dialect.
import t, { type Test } from 'tap';
import type { Db } from '../../db/index.js';
import { createPlatform } from '../../platform/index.js';
import { testEachDialect } from '../../test/databases.js';
import { buildAppOver } from '../../test/fleet.js';
import { captureLogs } from '../../test/helpers.js';
import { accessToken, bearer, seedTenant } from '../../test/identities.js';
import { type Fault, type NetworkServer, startNetworkServer } from '../../test/network-server.js';
import { DEFAULT_STATIC_FIGURES, type SourceId } from './defaults.js';
import { createFetcher } from './http.js';
import { NetworkService } from './service.js';
import { sourcesFor } from './sources.js';

const T0 = Date.UTC(2025, 10, 27, 12);

async function serviceOver(t: Test, db: Db, server: NetworkServer, ids: SourceId[], clock: { now: number }) {
  const { logger } = captureLogs();
  const platform = await createPlatform({ db, logger, now: () => clock.now });
  const fetcher = createFetcher({ connectTimeoutMs: 500, timeoutMs: 300, maxBytes: 4096 });
  t.teardown(async () => {
    await fetcher.close();
    await platform.close();
  });
  return new NetworkService({
    db,
    cache: platform.cache,
    logger,
    fetch: fetcher.fetch,
    sources: sourcesFor(ids, server.urls),
    refreshMs: 60_000,
    now: () => clock.now,
  });
}

const snapshotCount = async (db: Db) =>
  Number(
    (
      await db
        .selectFrom('network_snapshot')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

testEachDialect('no sources: the static values, no request made, age from their date', async (t, db) => {
  const server = await startNetworkServer(t);
  const clock = { now: T0 };
  const state = await (await serviceOver(t, db, server, [], clock)).current();
  t.equal(state.status, 'static');
  t.same(state.sources, []);
  t.match(state.btcPriceUsd, {
    value: DEFAULT_STATIC_FIGURES.btcPriceUsd,
    source: 'static',
    asOfMs: DEFAULT_STATIC_FIGURES.asOfMs,
  });
  t.equal(state.blockSubsidyBtc.value, 3.125, 'subsidy from the static height');
  t.same(server.hits, [], 'nothing asked');
  t.equal(await snapshotCount(db), 0);
});

testEachDialect('recorded answers of each source parse into the figures', async (t, db) => {
  const server = await startNetworkServer(t);
  const clock = { now: T0 };
  const mempool = await (await serviceOver(t, db, server, ['mempool'], clock)).refresh();
  t.equal(mempool.status, 'live');
  t.match(mempool, {
    btcPriceUsd: { value: 91234, source: 'mempool.space', asOfMs: T0 },
    difficulty: { value: 149301205959699.9 },
    blockHeight: { value: 925512 },
    blockSubsidyBtc: { value: 3.125 },
  });
  t.equal(mempool.avgFeesPerBlockBtc.value, 3.6 / 144, 'totalFee over endBlock − startBlock + 1 blocks');
  clock.now += 1;
  const chain = await (await serviceOver(t, db, server, ['blockchain'], clock)).refresh();
  t.match(chain, {
    status: 'live',
    btcPriceUsd: { value: 91180.5, source: 'blockchain.info' },
    blockHeight: { value: 925510 },
  });
  t.equal(chain.avgFeesPerBlockBtc.value, 2.88 / 144);
  const rows = await db.selectFrom('network_snapshot').selectAll().orderBy('id').execute();
  t.equal(rows.length, 2, 'each complete refresh is a snapshot');
  t.match(rows[0], {
    source: 'mempool.space',
    block_height: 925512,
    block_subsidy_btc: 3.125,
    fetched_at: T0,
  });
});

testEachDialect('priority: each figure from the first source that has it', async (t, db) => {
  const server = await startNetworkServer(t);
  const clock = { now: T0 };
  const state = await (await serviceOver(t, db, server, ['coingecko', 'mempool'], clock)).refresh();
  t.equal(state.status, 'live');
  t.match(state.btcPriceUsd, { value: 91210, source: 'coingecko' });
  t.match(state.difficulty, { source: 'mempool.space' });
  const row = await db.selectFrom('network_snapshot').selectAll().executeTakeFirstOrThrow();
  t.equal(row.source, 'coingecko,mempool.space');
});

const FAULTS: [string, string, Fault, string][] = [
  ['a 500', '/mempool/v1/prices', { kind: 'status', status: 500 }, 'NETWORK_SOURCE_HTTP'],
  [
    'garbage instead of JSON',
    '/mempool/v1/mining/hashrate/3d',
    { kind: 'body', body: '<html>oops' },
    'NETWORK_SOURCE_GARBAGE',
  ],
  [
    'JSON of the wrong shape',
    '/mempool/v1/mining/hashrate/3d',
    { kind: 'body', body: '[1,2]' },
    'NETWORK_SOURCE_ABSURD',
  ],
  [
    'a negative price',
    '/mempool/v1/prices',
    { kind: 'body', body: '{"time":1,"USD":-5}' },
    'NETWORK_SOURCE_ABSURD',
  ],
  [
    'a zero difficulty',
    '/mempool/v1/mining/hashrate/3d',
    { kind: 'body', body: '{"currentDifficulty":0}' },
    'NETWORK_SOURCE_ABSURD',
  ],
  [
    'a height that is not a number',
    '/mempool/blocks/tip/height',
    { kind: 'body', body: 'NaN' },
    'NETWORK_SOURCE_ABSURD',
  ],
  [
    'negative fees',
    '/mempool/v1/mining/reward-stats/144',
    { kind: 'body', body: '{"startBlock":1,"endBlock":144,"totalFee":"-1"}' },
    'NETWORK_SOURCE_ABSURD',
  ],
  ['a timeout', '/mempool/v1/prices', { kind: 'hang' }, 'NETWORK_SOURCE_TIMEOUT'],
  ['an oversized body', '/mempool/v1/prices', { kind: 'huge', bytes: 100_000 }, 'NETWORK_SOURCE_TOO_LARGE'],
];

testEachDialect('every failure serves the last good snapshot and says how old and why', async (t, db) => {
  const server = await startNetworkServer(t);
  const clock = { now: T0 };
  const service = await serviceOver(t, db, server, ['mempool'], clock);
  t.equal((await service.refresh()).status, 'live');
  for (const [name, path, fault, code] of FAULTS) {
    server.fault(path, fault);
    clock.now += 600_000;
    const state = await service.refresh();
    server.fault(path, undefined);
    t.equal(state.status, 'snapshot', name);
    t.match(
      state.btcPriceUsd,
      { value: 91234, source: 'snapshot:mempool.space', asOfMs: T0 },
      `${name}: last good price`,
    );
    t.equal(state.checkedAtMs - state.difficulty.asOfMs, clock.now - T0, `${name}: its age shows`);
    t.same(
      state.errors.map((e) => [e.source, e.code]),
      [['mempool.space', code]],
      name,
    );
  }
  t.equal(await snapshotCount(db), 1, 'no failed refresh stored a snapshot');
  clock.now += 600_000;
  const recovered = await service.refresh();
  t.equal(recovered.status, 'live', 'recovers once the source answers again');
  t.equal(recovered.btcPriceUsd.asOfMs, clock.now);
});

testEachDialect('a refused connection, then partial answers, then nothing ever fetched', async (t, db) => {
  const server = await startNetworkServer(t);
  const clock = { now: T0 };
  const refused = { ...server.urls, mempool: 'http://127.0.0.1:1/api' };
  const noServer = await serviceOver(t, db, { ...server, urls: refused }, ['mempool'], clock);
  const nothing = await noServer.refresh();
  t.equal(nothing.status, 'static', 'no snapshot yet: static values');
  t.equal(nothing.errors[0]?.code, 'NETWORK_SOURCE_UNREACHABLE');

  const service = await serviceOver(t, db, server, ['coingecko', 'mempool'], clock);
  await service.refresh();
  server.fault('/mempool/*', { kind: 'status', status: 503 });
  clock.now += 60_000;
  const partial = await service.refresh();
  t.equal(partial.status, 'partial');
  t.match(partial.btcPriceUsd, { source: 'coingecko', asOfMs: clock.now });
  t.match(partial.difficulty, { source: 'snapshot:coingecko,mempool.space', asOfMs: T0 });
  t.equal(await snapshotCount(db), 1, 'a partial refresh stores nothing');
});

testEachDialect(
  'the cached state is fresh for the refresh interval, then revalidated behind the stale one',
  async (t, db) => {
    const server = await startNetworkServer(t);
    const clock = { now: T0 };
    const service = await serviceOver(t, db, server, ['coingecko'], clock);
    await service.current();
    await service.current();
    t.equal(server.hits.length, 1, 'one fetch while fresh');
    clock.now += 61_000;
    const stale = await service.current();
    t.equal(stale.checkedAtMs, T0, 'the stale state answers at once');
    await new Promise((resolve) => setTimeout(resolve, 50));
    t.equal(server.hits.length, 2, 'and a refresh ran behind it');
    t.equal((await service.current()).checkedAtMs, clock.now);
  },
);

t.test('the HTTP routes: state with ages, snapshots in a range, refresh for admins only', async (t) => {
  const { migratedTestDatabase } = await import('../../test/databases.js');
  const db = await migratedTestDatabase(t, 'sqlite');
  const tenant = await seedTenant(db, 'n');
  const now = T0 + 90_000;
  const app = await buildAppOver(t, db, () => now);
  const token = async (role: 'guest' | 'admin' | 'customer') =>
    bearer(await accessToken(app, db, tenant.users[role]));
  const state = await app.inject({ method: 'GET', url: '/api/network', headers: await token('guest') });
  t.equal(state.statusCode, 200);
  t.match(state.json().data, {
    status: 'static',
    sources: [],
    btcPriceUsd: {
      value: DEFAULT_STATIC_FIGURES.btcPriceUsd,
      source: 'static',
      asOf: '2025-11-28T00:00:00.000Z',
      ageSeconds: 0,
    },
  });
  await db
    .insertInto('network_snapshot')
    .values(
      [0, 1, 2].map((i) => ({
        id: `0000000${i}`,
        fetched_at: T0 + i * 1000,
        btc_price_usd: 90000 + i,
        difficulty: 1.4e14,
        block_height: 925000 + i,
        block_subsidy_btc: 3.125,
        avg_fees_btc: 0.02,
        source: 'mempool.space',
      })),
    )
    .execute();
  const from = new Date(T0 + 1000).toISOString();
  const list = await app.inject({
    method: 'GET',
    url: `/api/network/snapshots?from=${from}`,
    headers: await token('customer'),
  });
  t.same(
    list.json().data.snapshots.map((s: { btcPriceUsd: number }) => s.btcPriceUsd),
    [90001, 90002],
  );
  const backwards = await app.inject({
    method: 'GET',
    url: `/api/network/snapshots?from=${from}&to=${new Date(T0).toISOString()}`,
    headers: await token('admin'),
  });
  t.equal(backwards.json().code, 'NETWORK_RANGE_INVALID');
  const denied = await app.inject({
    method: 'POST',
    url: '/api/network/refresh',
    headers: await token('customer'),
  });
  t.equal(denied.statusCode, 403);
  const refreshed = await app.inject({
    method: 'POST',
    url: '/api/network/refresh',
    headers: await token('admin'),
  });
  t.equal(refreshed.statusCode, 200);
  t.match(refreshed.json().data, {
    status: 'snapshot',
    btcPriceUsd: { value: 90002, source: 'snapshot:mempool.space', ageSeconds: 88 },
  });
});
