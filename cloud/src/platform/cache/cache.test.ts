import { waitFor } from '@hashinsight/testkit';
import { Redis } from 'ioredis';
import t from 'tap';
import { captureLogs } from '../../test/helpers.js';
import { memoryNotifier, redisNotifier } from '../notifier.js';
import { connectRedis, duplicateRedis } from '../redis.js';
import { redisService, redisTestPrefix } from '../test/redis.js';
import { Cache } from './cache.js';
import { MemoryStore } from './memory-store.js';
import { RedisStore } from './redis-store.js';

/** A clock the test moves by hand. */
function manualClock(start = 1_000_000) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

/** A load whose every call waits until the test releases it; counts calls. */
function gatedLoad<T>(values: T[]) {
  let calls = 0;
  const releases: (() => void)[] = [];
  return {
    get calls() {
      return calls;
    },
    load: () => {
      const value = values[Math.min(calls, values.length - 1)] as T;
      calls += 1;
      return new Promise<T>((resolve) => releases.push(() => resolve(value)));
    },
    releaseAll: () => {
      for (const release of releases.splice(0)) release();
    },
  };
}

function memoryCache(clock = manualClock()) {
  const { logger } = captureLogs();
  const cache = new Cache({
    local: new MemoryStore(100, clock.now),
    notifier: memoryNotifier(),
    logger,
    now: clock.now,
  });
  return { cache, clock };
}

t.test('MemoryStore expires entries and evicts the least recently used one when full', async (t) => {
  const clock = manualClock();
  const store = new MemoryStore(2, clock.now);
  await store.set('a', '1', 1000);
  await store.set('b', '2', 5000);
  clock.advance(1000);
  t.equal(await store.get('a'), undefined, 'expired at its TTL');
  await store.set('a', '1', 5000);
  t.equal(await store.get('b'), '2'); // b is now the most recently used
  await store.set('c', '3', 5000);
  t.equal(store.size, 2);
  t.equal(await store.get('a'), undefined, 'a was the least recently used');
  t.equal(await store.get('b'), '2');
  t.equal(await store.get('c'), '3');
  await store.set('cp:1', 'x', 5000);
  await store.deletePrefix('c');
  t.equal(await store.get('c'), undefined);
  t.equal(await store.get('cp:1'), undefined);
  t.throws(() => new MemoryStore(0), RangeError);
});

t.test('cached: a fresh value is served without loading', async (t) => {
  const { cache, clock } = memoryCache();
  let loads = 0;
  const load = async () => ({ n: ++loads });
  t.same(await cache.cached('k', 1000, 5000, load), { n: 1 });
  clock.advance(999);
  t.same(await cache.cached('k', 1000, 5000, load), { n: 1 });
  t.equal(loads, 1);
  t.same(cache.stats, { hits: 1, stale: 0, misses: 1 });
});

t.test('cached: concurrent misses share one load (single flight)', async (t) => {
  const { cache } = memoryCache();
  const gate = gatedLoad(['v1']);
  const all = Promise.all(Array.from({ length: 10 }, () => cache.cached('k', 1000, 5000, gate.load)));
  await waitFor('the load to start', () => (gate.calls > 0 ? true : undefined));
  gate.releaseAll();
  t.same(await all, Array(10).fill('v1'));
  t.equal(gate.calls, 1);
});

t.test('cached: a stale value is served while exactly one refresh runs', async (t) => {
  const { cache, clock } = memoryCache();
  const gate = gatedLoad(['v1', 'v2']);
  const first = cache.cached('k', 1000, 5000, gate.load);
  await waitFor('the first load', () => (gate.calls === 1 ? true : undefined));
  gate.releaseAll();
  t.equal(await first, 'v1');

  clock.advance(1500); // past fresh, within stale
  t.equal(await cache.cached('k', 1000, 5000, gate.load), 'v1', 'stale value at once');
  t.equal(await cache.cached('k', 1000, 5000, gate.load), 'v1', 'still stale while the refresh runs');
  t.equal(gate.calls, 2, 'one refresh for both stale reads');
  gate.releaseAll();
  await waitFor('the refreshed value', async () =>
    (await cache.cached('k', 1000, 5000, gate.load)) === 'v2' ? true : undefined,
  );
  t.equal(gate.calls, 2);
});

t.test('cached: past the stale window the caller waits for a new value', async (t) => {
  const { cache, clock } = memoryCache();
  let loads = 0;
  const load = async () => ++loads;
  await cache.cached('k', 1000, 2000, load);
  clock.advance(3000);
  t.equal(await cache.cached('k', 1000, 2000, load), 2);
});

t.test('a failing refresh keeps the stale value; a failing first load reaches the caller', async (t) => {
  const { cache, clock } = memoryCache();
  await cache.cached('k', 1000, 5000, async () => 'v1');
  clock.advance(1500);
  t.equal(
    await cache.cached('k', 1000, 5000, async () => {
      throw new Error('database down');
    }),
    'v1',
  );
  await t.rejects(
    cache.cached('other', 1000, 5000, async () => {
      throw new Error('database down');
    }),
    /database down/,
  );
});

t.test('invalidate and invalidatePrefix drop values; a load begun before them is not stored', async (t) => {
  const { cache } = memoryCache();
  let version = 1;
  const load = async () => version;
  await cache.cached('fleet:t1:a', 60_000, 0, load);
  await cache.cached('fleet:t1:b', 60_000, 0, load);
  await cache.cached('fleet:t2:a', 60_000, 0, load);
  version = 2;
  await cache.invalidate('fleet:t1:a');
  t.equal(await cache.cached('fleet:t1:a', 60_000, 0, load), 2);
  t.equal(await cache.cached('fleet:t1:b', 60_000, 0, load), 1);
  await cache.invalidatePrefix('fleet:t1:');
  t.equal(await cache.cached('fleet:t1:b', 60_000, 0, load), 2);
  t.equal(await cache.cached('fleet:t2:a', 60_000, 0, load), 1, 'other prefixes untouched');

  const gate = gatedLoad(['old']);
  const racing = cache.cached('race', 60_000, 0, gate.load);
  await waitFor('the racing load', () => (gate.calls === 1 ? true : undefined));
  await cache.invalidate('race'); // the data changed while it loaded
  gate.releaseAll();
  t.equal(await racing, 'old', 'its caller still gets what it loaded');
  t.equal(await cache.cached('race', 60_000, 0, async () => 'new'), 'new', 'but it was not stored');
});

t.test('with Redis unreachable, cached still answers by loading', async (t) => {
  const { logger, text } = captureLogs();
  // Never connected and no offline queue: every command fails at once, as when Redis is down.
  const redis = new Redis({ lazyConnect: true, enableOfflineQueue: false });
  t.teardown(() => redis.disconnect()); // a command makes a lazy client start connecting
  const cache = new Cache({
    local: new MemoryStore(10),
    shared: new RedisStore(redis, 'x:'),
    notifier: memoryNotifier(),
    logger,
  });
  let loads = 0;
  t.equal(await cache.cached('k', 60_000, 0, async () => ++loads), 1);
  t.match(text(), /cache write failed/);
  await t.rejects(cache.ping());
});

t.test(
  'Redis: instances share values and invalidations cross instances',
  { skip: redisService.skip },
  async (t) => {
    const url = redisService.url as string;
    const prefix = redisTestPrefix(t);
    const { logger } = captureLogs();
    async function instance() {
      const redis = await connectRedis(url, 'cache-test');
      const subscriber = await duplicateRedis(redis, 'cache-test-sub');
      const notifier = redisNotifier(redis, subscriber, `${prefix}notify:`, logger);
      const cache = new Cache({
        local: new MemoryStore(100),
        shared: new RedisStore(redis, `${prefix}cache:`),
        notifier,
        logger,
      });
      await cache.start();
      t.teardown(async () => {
        await cache.close();
        await notifier.close();
        await redis.quit();
      });
      return cache;
    }
    const a = await instance();
    const b = await instance();
    let version = 1;
    let loads = 0;
    const load = async () => {
      loads += 1;
      return { version };
    };
    t.same(await a.cached('summary:t1', 60_000, 60_000, load), { version: 1 });
    t.same(await b.cached('summary:t1', 60_000, 60_000, load), { version: 1 }, 'B reads what A stored');
    t.equal(loads, 1);
    t.same(await a.cached('summary:t1', 60_000, 60_000, load), { version: 1 }, 'A from its own memory');

    version = 2;
    await b.invalidate('summary:t1');
    // A's memory copy goes when B's notification arrives (pub/sub is asynchronous).
    await waitFor('A to see the invalidation', async () => {
      const value = await a.cached('summary:t1', 60_000, 60_000, load);
      return value.version === 2 ? value : undefined;
    });
    t.same(await b.cached('summary:t1', 60_000, 60_000, load), { version: 2 });

    version = 3;
    await a.invalidatePrefix('summary:');
    await waitFor('B to see the prefix invalidation', async () => {
      const value = await b.cached('summary:t1', 60_000, 60_000, load);
      return value.version === 3 ? value : undefined;
    });
    await t.resolves(a.ping());
  },
);
