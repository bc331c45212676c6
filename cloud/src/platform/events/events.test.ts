import { waitFor } from '@hashinsight/testkit';
import t, { type Test } from 'tap';
import type { Db } from '../../db/index.js';
import { testEachDialect } from '../../test/databases.js';
import { captureLogs } from '../../test/helpers.js';
import { connectRedis } from '../redis.js';
import { redisService, redisTestPrefix } from '../test/redis.js';
import type { EventBus } from './bus.js';
import { Events } from './events.js';
import { memoryEventBus } from './memory-bus.js';
import { claimPending, type DomainEvent, eventFamily, pendingCount, recordEvent } from './outbox.js';
import { redisEventBus } from './redis-bus.js';

async function seedTenant(db: Db): Promise<void> {
  await db.insertInto('tenant').values({ id: 't1', name: 'T1', created_at: 1 }).execute();
}

t.test('eventFamily is the part before the first dot', async (t) => {
  t.equal(eventFamily('agent.online'), 'agent');
  t.equal(eventFamily('miner.assignment.changed'), 'miner');
});

testEachDialect('recordEvent commits or rolls back with the business change', async (t, db) => {
  await seedTenant(db);
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('site')
      .values({ id: 's1', tenant_id: 't1', name: 'A', location: '', timezone: 'UTC', created_at: 1 })
      .execute();
    await recordEvent(trx, { type: 'site.created', tenantId: 't1', payload: { siteId: 's1' } });
  });
  await t.rejects(
    db.transaction().execute(async (trx) => {
      await recordEvent(trx, { type: 'site.created', tenantId: 't1', payload: { siteId: 's2' } });
      throw new Error('the business change failed');
    }),
  );
  const rows = await db.selectFrom('event_outbox').selectAll().execute();
  t.equal(rows.length, 1, 'only the committed event');
  t.same(JSON.parse(rows[0]?.payload ?? ''), { siteId: 's1' });
  t.equal(await pendingCount(db), 1);
  await t.rejects(recordEvent(db, { type: 'NoDot', tenantId: null, payload: {} }), /not an event type/);
  await t.rejects(recordEvent(db, { type: 'agent.', tenantId: null, payload: {} }), /not an event type/);
});

testEachDialect(
  'two relays never claim the same pending event; a lapsed claim is taken over',
  async (t, db) => {
    for (let i = 0; i < 10; i += 1) {
      await recordEvent(db, { type: 'agent.online', tenantId: null, payload: { i } }, 1000 + i);
    }
    const [a, b] = await Promise.all([
      claimPending(db, { limit: 6, leaseMs: 1000, nowMs: 5000 }),
      claimPending(db, { limit: 6, leaseMs: 1000, nowMs: 5000 }),
    ]);
    const ids = [...a.events, ...b.events].map((event) => event.id);
    t.equal(new Set(ids).size, ids.length, 'disjoint claims');
    t.equal(ids.length, 10, 'between them, every event');
    const oldestFirst = a.events.length > 0 ? a.events : b.events;
    t.same(
      oldestFirst.map((event) => event.id),
      [...oldestFirst.map((event) => event.id)].sort(),
      'oldest first',
    );
    t.equal(
      (await claimPending(db, { limit: 100, leaseMs: 1000, nowMs: 5500 })).events.length,
      0,
      'leases hold',
    );
    t.equal(
      (await claimPending(db, { limit: 100, leaseMs: 1000, nowMs: 6001 })).events.length,
      10,
      'lapsed ones go',
    );
  },
);

/** Two instances (one bus member each) relay the same outbox and share one consumer group. */
async function relayAndConsume(t: Test, db: Db, buses: [EventBus, EventBus]) {
  const { logger } = captureLogs();
  const [a, b] = buses.map((bus) => new Events({ db, bus, logger, pollMs: 20 })) as [Events, Events];
  t.teardown(async () => {
    await a.stop();
    await b.stop();
  });
  const seen: DomainEvent[] = [];
  // One group, a member on each instance: each event is handled once between them.
  for (const events of [a, b]) {
    await events.consume('agent', 'presence-log', async (event, trx) => {
      seen.push(event);
      await trx
        .insertInto('tenant')
        .values({ id: `t-${event.id}`, name: event.id, created_at: 1 })
        .execute();
    });
  }
  for (let i = 0; i < 20; i += 1) {
    await recordEvent(db, { type: i % 2 ? 'agent.online' : 'agent.offline', tenantId: null, payload: { i } });
  }
  await recordEvent(db, { type: 'site.created', tenantId: null, payload: {} }); // another stream
  a.startRelay();
  b.startRelay();
  await waitFor('every agent event handled', () => (seen.length >= 20 ? true : undefined));
  await waitFor('the outbox drained', async () => ((await a.pending()) === 0 ? true : undefined));
  t.equal(seen.length, 20);
  t.equal(new Set(seen.map((event) => event.id)).size, 20, 'each event once');
  const tenants = await db.selectFrom('tenant').select('id').where('id', 'like', 't-%').execute();
  t.equal(tenants.length, 20, 'handler writes committed with the inbox rows');
  const inbox = await db
    .selectFrom('event_inbox')
    .selectAll()
    .where('consumer', '=', 'presence-log')
    .execute();
  t.equal(inbox.length, 20);
  t.ok(a.relayedTotal + b.relayedTotal >= 21);
}

testEachDialect('memory bus: the relay delivers each event once to a consumer group', async (t, db) => {
  const { logger } = captureLogs();
  const bus = memoryEventBus(logger);
  // In one process the two "instances" share the bus; only one member per group may exist, so use one.
  const events = new Events({ db, bus, logger, pollMs: 20 });
  t.teardown(() => events.stop());
  const seen: string[] = [];
  let failOnce = true;
  await events.consume('agent', 'log', async (event) => {
    if (failOnce) {
      failOnce = false;
      throw new Error('transient'); // retried: the inbox row rolled back with it
    }
    seen.push(event.id);
  });
  const id = await recordEvent(db, { type: 'agent.online', tenantId: null, payload: {} });
  events.startRelay();
  await waitFor('the event handled', () => (seen.length === 1 ? true : undefined));
  t.same(seen, [id]);
});

t.test(
  'Redis Streams: two relaying instances, one group, each event once',
  { skip: redisService.skip },
  async (t) =>
    testEachDialect(
      'Redis Streams: two relaying instances, one group, each event once',
      async (t, db) => {
        if (redisService.url === undefined) throw new Error('unreachable: skipped above');
        const prefix = redisTestPrefix(t);
        const { logger } = captureLogs();
        const connections = await Promise.all([
          connectRedis(redisService.url, 'a'),
          connectRedis(redisService.url, 'b'),
        ]);
        t.teardown(async () => {
          for (const redis of connections) await redis.quit();
        });
        const [ra, rb] = connections as [(typeof connections)[0], (typeof connections)[0]];
        const buses: [EventBus, EventBus] = [
          redisEventBus(ra, prefix, 'instance-a', logger),
          redisEventBus(rb, prefix, 'instance-b', logger),
        ];
        t.teardown(async () => {
          for (const bus of buses) await bus.close();
        });
        await relayAndConsume(t, db, buses);
        t.equal(await ra.xlen(`${prefix}events:agent`), 20, 'one stream per family');
        t.equal(await ra.xlen(`${prefix}events:site`), 1);
      },
      t,
    ),
);

t.test('Redis Streams: a redelivered event is skipped by the inbox', { skip: redisService.skip }, async (t) =>
  testEachDialect(
    'Redis Streams: a redelivered event is skipped by the inbox',
    async (t, db) => {
      if (redisService.url === undefined) throw new Error('unreachable: skipped above');
      const prefix = redisTestPrefix(t);
      const { logger } = captureLogs();
      const redis = await connectRedis(redisService.url, 'dup');
      t.teardown(() => redis.quit());
      const bus = redisEventBus(redis, prefix, 'instance-a', logger);
      t.teardown(() => bus.close());
      const events = new Events({ db, bus, logger });
      t.teardown(() => events.stop());
      const handled: string[] = [];
      await events.consume('agent', 'once', async (event) => void handled.push(event.id));
      const event: DomainEvent = {
        id: 'e1',
        type: 'agent.online',
        tenantId: 't1',
        payload: { a: 1 },
        createdAt: 1,
      };
      // What a relay that died between XADD and marking does: the same event published twice.
      await bus.publish([event, event]);
      await redis.xadd(`${prefix}events:agent`, '*', 'garbage', 'entry'); // not ours: skipped, not fatal
      await bus.publish([{ ...event, id: 'e2' }]);
      await waitFor('e2 handled', () => (handled.includes('e2') ? true : undefined));
      t.same(handled, ['e1', 'e2']);
      await waitFor('all acknowledged', async () => {
        const pending = (await redis.xpending(`${prefix}events:agent`, 'once')) as [number, ...unknown[]];
        return pending[0] === 0 ? true : undefined;
      });
    },
    t,
  ),
);
