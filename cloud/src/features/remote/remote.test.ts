// The legacy /api/remote adapter on every dialect: old names mapped onto real commands, results in the old codes,
// unsupported commands refused clearly, bad input refused, and another tenant's commands invisible.
import t from 'tap';
import { testEachDialect } from '../../test/databases.js';
import { buildAppOver, insertAgent, insertMiner } from '../../test/fleet.js';
import { accessToken, bearer, seedTenant } from '../../test/identities.js';
import { legacyResult, mapLegacy } from './mapping.js';

t.test('remote: the mapping of commands and results', async (t) => {
  t.same(mapLegacy('enable', {}), { type: 'wake', params: {} });
  t.same(mapLegacy('disable', {}), { type: 'power_mode', params: { mode: 'sleep' } });
  t.same(mapLegacy('restart', {}), { type: 'restart_mining', params: {} });
  t.same(mapLegacy('reboot', {}), { type: 'reboot', params: {} });
  t.same(mapLegacy('set_pool', { pool_url: 'stratum+tcp://p.example:3333', worker: 'w.1', password: 'x1' }), {
    type: 'set_pools',
    params: { pools: [{ url: 'stratum+tcp://p.example:3333', user: 'w.1', password: 'x1' }] },
  });
  t.throws(() => mapLegacy('set_pool', { url: 'stratum+tcp://p.example:3333' }), {
    code: 'REMOTE_PARAMS_INVALID',
  });
  t.throws(() => mapLegacy('set_fan', { speed: 80 }), { code: 'REMOTE_UNSUPPORTED' });
  t.throws(() => mapLegacy('set_frequency', {}), { code: 'REMOTE_UNSUPPORTED' });
  t.match(legacyResult('succeeded', '', ''), { status: 'completed', result_code: 0 });
  t.match(legacyResult('timed_out', 'no hashrate', 'MINER_X'), {
    status: 'failed',
    result_code: 1,
    result_message: 'MINER_X: no hashrate',
  });
  t.match(legacyResult('expired', '', ''), { status: 'failed', result_code: 3 });
  for (const state of ['queued', 'dispatched', 'received', 'running']) {
    t.match(legacyResult(state, '', ''), { status: 'pending', result_code: 2 });
  }
});

testEachDialect('remote: legacy calls make real commands; tenant isolation; bad input', async (t, db) => {
  const app = await buildAppOver(t, db);
  const a = await seedTenant(db, 'a');
  const b = await seedTenant(db, 'b');
  await insertAgent(db, { id: 'agent-a', tenantId: a.tenantId, siteId: a.siteId });
  await insertAgent(db, { id: 'agent-b', tenantId: b.tenantId, siteId: b.siteId });
  await insertMiner(db, { agentId: 'agent-a', id: 'm1', tenantId: a.tenantId, siteId: a.siteId });
  await insertMiner(db, { agentId: 'agent-b', id: 'mb', tenantId: b.tenantId, siteId: b.siteId });
  await db
    .updateTable('miner')
    .set({ driver: 'antminer-stock', capabilities: '["reboot","sleep"]' })
    .execute();
  const staff = await accessToken(app, db, a.users.mining_site);
  const other = await accessToken(app, db, b.users.admin);
  const call = (token: string, method: 'GET' | 'POST', url: string, payload?: object) =>
    app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });

  const created = await call(staff, 'POST', '/api/remote/commands', { miner_id: 'm1', command: 'reboot' });
  t.equal(created.statusCode, 201, created.body);
  const legacy = created.json().data;
  t.match(legacy, { miner_id: 'm1', command: 'reboot', status: 'pending', result_code: 2 });
  const stored = await db
    .selectFrom('command')
    .selectAll()
    .where('id', '=', legacy.id)
    .executeTakeFirstOrThrow();
  t.match(stored, {
    type: 'reboot',
    tenant_id: a.tenantId,
    created_by: a.users.mining_site.id,
    target_count: 1,
  });

  const disabled = (
    await call(staff, 'POST', '/api/remote/commands', { miner_id: 'm1', command: 'disable' })
  ).json();
  t.match(disabled.data, { command: 'disable' }, 'power_mode sleep reads back as disable');
  const retried = (
    await call(staff, 'POST', '/api/remote/commands', { miner_id: 'm1', command: 'disable' })
  ).json();
  t.equal(
    retried.data.id,
    disabled.data.id,
    'an old client retrying within the minute gets the same command',
  );

  await db
    .updateTable('command_target')
    .set({ state: 'succeeded' })
    .where('command_id', '=', legacy.id)
    .execute();
  t.match((await call(staff, 'GET', `/api/remote/commands/${legacy.id}`)).json().data, {
    status: 'completed',
    result_code: 0,
  });
  const listed = (await call(staff, 'GET', '/api/remote/commands?miner_id=m1')).json().data.commands;
  t.same(
    listed.map((c: { command: string }) => c.command),
    ['disable', 'reboot'],
    'newest first',
  );

  // Another tenant sees nothing of it, and cannot command a miner it does not own.
  t.equal((await call(other, 'GET', `/api/remote/commands/${legacy.id}`)).json().code, 'REMOTE_NOT_FOUND');
  t.same((await call(other, 'GET', '/api/remote/commands?miner_id=m1')).json().data.commands, []);
  t.equal(
    (await call(other, 'POST', '/api/remote/commands', { miner_id: 'm1', command: 'reboot' })).statusCode,
    404,
  );

  const refused = async (payload: object, code: string) =>
    t.equal(
      (await call(staff, 'POST', '/api/remote/commands', payload)).json().code,
      code,
      JSON.stringify(payload),
    );
  await refused({ miner_id: 'm1', command: 'set_fan', params: {} }, 'REMOTE_UNSUPPORTED');
  await refused({ miner_id: 'm1', command: 'set_frequency' }, 'REMOTE_UNSUPPORTED');
  await refused({ miner_id: 'm1', command: 'self_destruct' }, 'VALIDATION_FAILED');
  await refused({ miner_id: 'm1', command: 'set_pool', params: { url: 'x' } }, 'REMOTE_PARAMS_INVALID');
  await refused(
    { miner_id: 'm1', command: 'set_pool', params: { url: 'u', user: 'a\r\nb' } },
    'VALIDATION_FAILED',
  );
  await refused({ miner_id: 'x'.repeat(10_000), command: 'reboot' }, 'VALIDATION_FAILED');
  await refused({ miner_id: 'nope', command: 'reboot' }, 'COMMANDS_TARGET_NOT_FOUND');
  t.equal(
    (await call(await accessToken(app, db, a.users.customer), 'GET', '/api/remote/commands?miner_id=m1'))
      .statusCode,
    403,
  );

  // The same per-operator limit as POST /api/commands (30 a minute by default).
  const statuses: number[] = [];
  for (let i = 0; i < 35; i++) {
    statuses.push(
      (await call(staff, 'POST', '/api/remote/commands', { miner_id: 'm1', command: 'reboot' })).statusCode,
    );
  }
  t.ok(
    statuses.includes(429),
    `the legacy route is rate limited too (${statuses.filter((s) => s === 429).length} refused)`,
  );
});
