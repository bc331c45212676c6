import { agentTopic, telemetryBatchCodec } from '@hashinsight/protocol';
import { waitFor } from '@hashinsight/testkit';
import t from 'tap';
import type { Db } from '../../db/index.js';
import { memoryNotifier } from '../../platform/notifier.js';
import { testEachDialect } from '../../test/databases.js';
import { buildTestApp, captureLogs, sample } from '../../test/helpers.js';
import { FleetTicker, fleetChannel } from './fleet-tick.js';
import { agentPlace } from './repository.js';

// The fleet tick that live views follow: coalesced per tenant, at most one per interval, never to another tenant.

const NOW = 1_795_000_500_000;

/** Tenant tA with sites sA1 and sA2 (agents a1, a2), tenant tB with site sB (agent b1), and an agent of none. */
async function seed(db: Db): Promise<void> {
  for (const tenant of ['tA', 'tB']) {
    await db.insertInto('tenant').values({ id: tenant, name: tenant, created_at: NOW }).execute();
  }
  for (const [site, tenant] of [
    ['sA1', 'tA'],
    ['sA2', 'tA'],
    ['sB', 'tB'],
  ] as const) {
    await db
      .insertInto('site')
      .values({ id: site, tenant_id: tenant, name: site, location: '', timezone: 'UTC', created_at: NOW })
      .execute();
  }
  for (const [agent, tenant, site] of [
    ['a1', 'tA', 'sA1'],
    ['a2', 'tA', 'sA2'],
    ['b1', 'tB', 'sB'],
    ['legacy', null, null],
  ] as const) {
    await db
      .insertInto('agent')
      .values({
        id: agent,
        tenant_id: tenant,
        site_id: site,
        epoch: 0,
        online: 0,
        hostname: '',
        agent_version: '',
        last_seen_at: null,
        created_at: NOW,
      })
      .execute();
  }
}

/** Every tick of tenants tA and tB with the time it arrived. */
async function listen(notifier: ReturnType<typeof memoryNotifier>) {
  const ticks: { tenant: string; siteIds: unknown; at: number }[] = [];
  for (const tenant of ['tA', 'tB']) {
    await notifier.subscribe(fleetChannel(tenant), (message) =>
      ticks.push({ tenant, siteIds: message.siteIds, at: Date.now() }),
    );
  }
  return ticks;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

testEachDialect('ticks are coalesced per tenant, throttled, and go to that tenant only', async (t, db) => {
  await seed(db);
  const notifier = memoryNotifier();
  t.teardown(() => notifier.close());
  const ticks = await listen(notifier);
  const logs = captureLogs();
  const ticker = new FleetTicker({
    notifier,
    place: (agentId) => agentPlace(db, agentId),
    logger: logs.logger,
    intervalMs: 400,
  });
  t.teardown(() => ticker.close());

  // Warm up: each agent's place is looked up once; then both tenants are quiet again.
  for (const agent of ['a1', 'a2', 'b1']) ticker.stored(agent);
  await waitFor('both tenants', () =>
    new Set(ticks.map((tick) => tick.tenant)).size === 2 ? true : undefined,
  );
  await sleep(900);
  ticks.length = 0;

  const before = Date.now();
  ticker.stored('a1');
  await waitFor('first tick', () => (ticks.length > 0 ? true : undefined));
  t.same(
    ticks.map((tick) => [tick.tenant, tick.siteIds]),
    [['tA', ['sA1']]],
    'a quiet tenant ticks at once',
  );
  // Within the interval: both sites, several times, and another tenant's agent.
  for (const agent of ['a2', 'a1', 'a2', 'b1', 'a1']) ticker.stored(agent);
  await waitFor('second tick of A', () =>
    ticks.filter((tick) => tick.tenant === 'tA').length > 1 ? true : undefined,
  );
  t.same(
    ticks.map((tick) => [tick.tenant, tick.siteIds]),
    [
      ['tA', ['sA1']],
      ['tB', ['sB']],
      ['tA', ['sA1', 'sA2']],
    ],
    "the sites stored meanwhile, once each; tenant A's throttle does not hold back tenant B",
  );
  const waited = (ticks[2]?.at ?? 0) - before;
  t.ok(waited >= 400, `A's second tick no sooner than the interval (${waited} ms)`);

  // Unknown agents and agents of no tenant tick nobody; after close nothing goes out.
  ticker.stored('ghost');
  ticker.stored('legacy');
  await sleep(500);
  t.equal(ticks.length, 3, 'nothing for an unknown or tenantless agent');
  ticker.stored('a1');
  ticker.close();
  await sleep(500);
  t.equal(ticks.length, 3, 'nothing after close');
  t.same(logs.entries(), [], 'nothing to warn about');
});

t.test('a failing lookup or notifier is logged, never thrown into the ingest', async (t) => {
  const logs = captureLogs();
  const lookupFails = new FleetTicker({
    notifier: memoryNotifier(),
    place: async () => {
      throw new Error('database gone');
    },
    logger: logs.logger,
  });
  lookupFails.stored('a1');
  const notifier = memoryNotifier();
  const publishFails = new FleetTicker({
    notifier: {
      ...notifier,
      publish: async () => {
        throw new Error('redis gone');
      },
    },
    place: async () => ({ tenantId: 'tA', siteId: 'sA1' }),
    logger: logs.logger,
  });
  publishFails.stored('a1');
  await waitFor('both warnings', () => (logs.entries().length >= 2 ? true : undefined));
  t.same(
    logs
      .entries()
      .map((entry) => entry.msg)
      .sort(),
    ['fleet tick not sent', 'fleet tick skipped'],
  );
  lookupFails.close();
  publishFails.close();
});

t.test('the ingest ticks the tenant once a batch stored samples, not for duplicates', async (t) => {
  const { app, broker, db } = await buildTestApp(t);
  await seed(db);
  const ticks: unknown[] = [];
  const others: unknown[] = [];
  await app.platform.notifier.subscribe(fleetChannel('tA'), (message) => ticks.push(message));
  await app.platform.notifier.subscribe(fleetChannel('tB'), (message) => others.push(message));
  const batch = telemetryBatchCodec.encode({ epoch: 1, samples: [sample(1)] });
  await broker.publish(agentTopic('a2', 'telemetry'), batch, { qos: 1, retain: false });
  await waitFor('tick', () => (ticks.length > 0 ? true : undefined));
  t.same(ticks, [{ siteIds: ['sA2'] }]);

  await broker.publish(agentTopic('a2', 'telemetry'), batch, { qos: 1, retain: false });
  await broker.publish(agentTopic('a2', 'telemetry'), new Uint8Array([0x08, 0x00]), {
    qos: 1,
    retain: false,
  });
  await sleep(1300);
  t.equal(ticks.length, 1, 'a batch of duplicates or a refused one stores nothing and ticks nobody');

  const next = telemetryBatchCodec.encode({ epoch: 1, samples: [sample(2)] });
  await broker.publish(agentTopic('a1', 'telemetry'), next, { qos: 1, retain: false });
  await waitFor('second tick', () => (ticks.length > 1 ? true : undefined));
  t.same(ticks[1], { siteIds: ['sA1'] });
  t.same(others, [], 'another tenant hears nothing');
});
