// Scheduled commands on every dialect: CRUD with cron and template checks, tenant isolation, and the runner
// firing in the site's time zone exactly once per minute, across two instances.
import type { FastifyInstance } from 'fastify';
import t from 'tap';
import { buildApp } from '../../app.js';
import type { Db } from '../../db/index.js';
import { createEmbeddedBroker } from '../../plugins/broker.js';
import { testEachDialect } from '../../test/databases.js';
import { insertAgent, insertMiner } from '../../test/fleet.js';
import { captureLogs, JWT_SECRET } from '../../test/helpers.js';
import { accessToken, bearer, seedTenant } from '../../test/identities.js';
import { checkCron, fireKey, firesAt } from './cron.js';

// 2026-06-01T20:00Z: 22:00 in Oslo (summer time).
const T0 = Date.UTC(2026, 5, 1, 20, 0, 0);

async function appOver(
  t: Parameters<Parameters<typeof testEachDialect>[1]>[0],
  db: Db,
  clock: { now: number },
) {
  const logs = captureLogs();
  const broker = await createEmbeddedBroker(logs.logger, { verifyAgent: async () => false });
  const app: FastifyInstance = await buildApp({
    db,
    broker,
    jwtSecret: JWT_SECRET,
    logger: logs.logger,
    now: () => clock.now,
    commandEngine: { timers: false },
    schedules: { timers: false },
  });
  t.teardown(async () => {
    await app.close();
    await broker.close();
  });
  await app.ready();
  return app;
}

t.test('cron: five fields, node-cron syntax, evaluated in the zone', async (t) => {
  t.same(checkCron('0 22 * * 1-5'), { ok: true });
  t.same(checkCron('*/15 * * * *'), { ok: true });
  t.match(checkCron('0 0 22 * * 1-5'), { ok: false, reason: /five fields/ }, 'no seconds field');
  t.match(checkCron('@daily'), { ok: false });
  t.match(checkCron('0 25 * * *'), { ok: false, reason: /hour/ });
  t.match(checkCron('0 22 * * 8'), { ok: false });
  t.match(checkCron(`${'1,'.repeat(80)}1 * * * *`), { ok: false, reason: /at most/ });
  t.match(checkCron('0 22 * * *; rm -rf /'), { ok: false });
  t.ok(firesAt('0 22 * * *', 'Europe/Oslo', T0));
  t.notOk(firesAt('0 22 * * *', 'UTC', T0));
  t.ok(firesAt('0 20 * * *', 'UTC', T0));
  t.notOk(firesAt('0 22 * * *', 'Europe/Oslo', T0 + 60_000));
  t.equal(fireKey('s1', T0), 'schedule:s1:2026-06-01T20:00');
});

testEachDialect('schedules: CRUD, checks, roles and tenant isolation', async (t, db) => {
  const clock = { now: T0 };
  const app = await appOver(t, db, clock);
  const a = await seedTenant(db, 'a');
  const b = await seedTenant(db, 'b');
  await insertAgent(db, { id: 'agent-b', tenantId: b.tenantId, siteId: b.siteId });
  await insertMiner(db, { agentId: 'agent-b', id: 'mb', tenantId: b.tenantId, siteId: b.siteId });
  const staff = await accessToken(app, db, a.users.mining_site);
  const other = await accessToken(app, db, b.users.admin);
  const customer = await accessToken(app, db, a.users.customer);
  const call = (token: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });
  const base = `/api/sites/${a.siteId}/schedules`;
  const nightly = {
    name: 'Nightly sleep',
    cron: '0 22 * * *',
    command: { type: 'power_mode', params: { mode: 'sleep' } },
  };

  const created = await call(staff, 'POST', base, nightly);
  t.equal(created.statusCode, 201, created.body);
  const schedule = created.json().data;
  t.match(schedule, {
    name: 'Nightly sleep',
    cron: '0 22 * * *',
    timezone: 'UTC',
    enabled: true,
    lastError: '',
  });
  t.equal(schedule.nextRuns.length, 3);
  t.match(schedule.nextRuns[0], /T22:00:00.000Z$/);

  const bad = async (payload: object, code: string, message?: string) => {
    const response = await call(staff, 'POST', base, payload);
    t.equal(response.json().code, code, `${message ?? JSON.stringify(payload).slice(0, 80)}`);
  };
  await bad({ ...nightly, cron: '0 0 22 * * *' }, 'SCHEDULES_CRON_INVALID', 'a seconds field');
  await bad({ ...nightly, cron: '61 22 * * *' }, 'SCHEDULES_CRON_INVALID', 'minute 61');
  await bad({ ...nightly, cron: 'x'.repeat(121) }, 'VALIDATION_FAILED', 'oversized cron');
  await bad({ ...nightly, command: { type: 'format_disk' } }, 'VALIDATION_FAILED', 'unknown type');
  await bad({ ...nightly, command: { type: 'power_mode', params: { mode: 'turbo' } } }, 'VALIDATION_FAILED');
  await bad({ ...nightly, name: '\u0000' }, 'VALIDATION_FAILED', 'NUL name');
  await bad(
    {
      ...nightly,
      command: {
        type: 'set_pools',
        params: { pools: [{ url: 'stratum+tcp://pool.example:3333', user: 'w', password: 'secret' }] },
      },
    },
    'SCHEDULES_SECRET_REFUSED',
    'a pool password',
  );
  await bad(
    {
      ...nightly,
      command: { type: 'update_credentials', params: { purpose: 'web', username: 'root', generate: true } },
    },
    'SCHEDULES_SECRET_REFUSED',
    'a login rotation',
  );
  await bad(
    { ...nightly, command: { type: 'reboot', params: {}, targets: { minerIds: ['mb'] } } },
    'SCHEDULES_TEMPLATE_INVALID',
    "another tenant's miner",
  );
  await bad(
    { ...nightly, command: { type: 'reboot', targets: { siteId: b.siteId } } },
    'VALIDATION_FAILED',
    'a template cannot name a site',
  );

  const url = `${base}/${schedule.id}`;
  const patched = await call(staff, 'PATCH', url, { enabled: false, cron: '30  6 * * 1-5' });
  t.match(patched.json().data, { enabled: false, cron: '30 6 * * 1-5', nextRuns: [] });
  t.equal((await call(staff, 'GET', base)).json().data.schedules.length, 1);

  // Another tenant: the same answers as for nothing at all.
  t.equal((await call(other, 'GET', base)).json().code, 'SCHEDULES_SITE_NOT_FOUND');
  t.equal((await call(other, 'GET', url)).json().code, 'SCHEDULES_NOT_FOUND');
  t.equal((await call(other, 'PATCH', url, { enabled: true })).json().code, 'SCHEDULES_NOT_FOUND');
  t.equal((await call(other, 'DELETE', url)).json().code, 'SCHEDULES_NOT_FOUND');
  t.equal((await call(other, 'POST', base, nightly)).json().code, 'SCHEDULES_SITE_NOT_FOUND');
  t.equal((await call(other, 'GET', `/api/sites/${b.siteId}/schedules/${schedule.id}`)).statusCode, 404);
  t.equal((await call(customer, 'GET', base)).statusCode, 403, 'customers do not see schedules');
  t.match((await call(staff, 'GET', url)).json().data, { enabled: false }, 'unchanged by the other tenant');

  t.equal((await call(staff, 'DELETE', url)).statusCode, 200);
  t.equal((await call(staff, 'GET', url)).statusCode, 404);
});

testEachDialect('schedules: fire in the site time zone, once per minute across instances', async (t, db) => {
  const clock = { now: T0 };
  const app = await appOver(t, db, clock);
  const app2 = await appOver(t, db, clock);
  const a = await seedTenant(db, 'a');
  await db.updateTable('site').set({ timezone: 'Europe/Oslo' }).where('id', '=', a.siteId).execute();
  await insertAgent(db, { id: 'agent-1', tenantId: a.tenantId, siteId: a.siteId });
  for (const id of ['m1', 'm2']) {
    await insertMiner(db, { agentId: 'agent-1', id, tenantId: a.tenantId, siteId: a.siteId });
  }
  await db
    .updateTable('miner')
    .set({ driver: 'antminer-stock', capabilities: '["sleep","reboot"]' })
    .execute();
  const staff = await accessToken(app, db, a.users.mining_site);
  const create = async (cron: string) =>
    (
      await app.inject({
        method: 'POST',
        url: `/api/sites/${a.siteId}/schedules`,
        headers: bearer(staff),
        payload: {
          name: cron,
          cron,
          command: { type: 'power_mode', params: { mode: 'sleep' }, expiresInSeconds: 600 },
        },
      })
    ).json().data;
  const oslo = await create('0 22 * * *');
  const utc = await create('0 22 * * *');
  await app.inject({
    method: 'PATCH',
    url: `/api/sites/${a.siteId}/schedules/${utc.id}`,
    headers: bearer(staff),
    payload: { cron: '0 20 * * *' },
  });

  const [first, second] = await Promise.all([app.schedules.fireNow(), app2.schedules.fireNow()]);
  t.equal(first.length, 1, 'only the schedule due at 22:00 Oslo fires (20:00 is UTC here)');
  t.equal(first[0]?.scheduleId, oslo.id);
  t.equal(first[0]?.error, '', first[0]?.error ?? '');
  t.equal(second[0]?.commandId, first[0]?.commandId, 'both instances end with the same command');
  const commands = await db.selectFrom('command').selectAll().execute();
  t.equal(commands.length, 1, 'one command for one fire');
  t.match(commands[0], {
    schedule_id: oslo.id,
    type: 'power_mode',
    created_by: a.users.mining_site.id,
    target_count: 2,
  });
  t.match(JSON.parse(commands[0]?.targets ?? '{}'), { siteId: a.siteId }, 'targets default to the site');

  clock.now += 60_000;
  t.same(await app.schedules.fireNow(), [], 'not due the next minute');
  clock.now = T0 + 86_400_000;
  await db.updateTable('user').set({ disabled_at: T0 }).where('id', '=', a.users.mining_site.id).execute();
  const refused = await app.schedules.fireNow();
  t.match(refused, [{ scheduleId: oslo.id, commandId: null, error: /last editor/ }]);
  const view = await app.inject({
    method: 'GET',
    url: `/api/sites/${a.siteId}/schedules/${oslo.id}`,
    headers: bearer(await accessToken(app, db, a.users.admin)),
  });
  t.match(view.json().data, { lastError: /last editor/, lastCommandId: null });
  t.equal((await db.selectFrom('command').select('id').execute()).length, 1);
});

testEachDialect(
  'schedules: whoever last edits a schedule requests what it fires, and cannot approve it',
  async (t, db) => {
    const app = await appOver(t, db, { now: T0 });
    const a = await seedTenant(db, 'a');
    await insertAgent(db, { id: 'agent-1', tenantId: a.tenantId, siteId: a.siteId });
    for (const id of ['m1', 'm2']) {
      await insertMiner(db, { agentId: 'agent-1', id, tenantId: a.tenantId, siteId: a.siteId });
    }
    await db
      .updateTable('miner')
      .set({ driver: 'antminer-stock', capabilities: '["led","reboot"]' })
      .execute();
    const creator = await accessToken(app, db, a.users.mining_site);
    const editor = await accessToken(app, db, a.users.admin);
    const created = await app.inject({
      method: 'POST',
      url: `/api/sites/${a.siteId}/schedules`,
      headers: bearer(creator),
      payload: { name: 'blink', cron: '0 20 * * *', command: { type: 'led', params: { on: true } } },
    });
    t.equal(created.statusCode, 201, created.body);
    // Another operator turns it into a site-wide reboot, which needs a second operator's approval.
    const edited = await app.inject({
      method: 'PATCH',
      url: `/api/sites/${a.siteId}/schedules/${created.json().data.id}`,
      headers: bearer(editor),
      payload: { command: { type: 'reboot' } },
    });
    t.equal(edited.statusCode, 200, edited.body);
    const [fired] = await app.schedules.fireNow();
    t.equal(fired?.error, '', fired?.error ?? 'no fire');
    const command = await db
      .selectFrom('command')
      .selectAll()
      .where('id', '=', fired?.commandId ?? '')
      .executeTakeFirstOrThrow();
    t.match(command, { type: 'reboot', status: 'awaiting_approval', created_by: a.users.admin.id });
    const approve = (token: string) =>
      app.inject({
        method: 'POST',
        url: `/api/commands/${command.id}/approve`,
        headers: bearer(token),
        payload: { canonicalHash: command.canonical_hash },
      });
    const self = await approve(editor);
    t.equal(self.statusCode, 403, 'the editor cannot approve the reboot they scheduled');
    t.equal(self.json().code, 'COMMANDS_SELF_APPROVAL');
    t.equal((await approve(creator)).statusCode, 200, 'another operator can');
  },
);
