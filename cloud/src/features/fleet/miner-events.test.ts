// GET /api/miners/:agentId/:minerId/events on every dialect: status changes derived from the raw samples (the
// portal's derivation) and command results on the miner, newest first; a customer sees its own miner's status
// only, and a miner out of scope answers exactly like a missing one.
import type { Db } from '../../db/index.js';
import { testEachDialect } from '../../test/databases.js';
import { buildAppOver, insertAgent, insertMiner } from '../../test/fleet.js';
import { accessToken, bearer, seedTenant } from '../../test/identities.js';

const MINUTE = 60_000;
const T = 1_795_000_000_000;

async function samples(db: Db, agentId: string, minerId: string, statuses: [number, string][]) {
  await db
    .insertInto('miner_sample')
    .values(
      statuses.map(([timeMs, status]) => ({
        agent_id: agentId,
        miner_id: minerId,
        time_ms: timeMs,
        status,
        hashrate_mhs: status === 'ok' ? 100e6 : 0,
        hashrate_avg_mhs: 0,
        hashrate_expected_mhs: 110e6,
        power_w: null,
        chip_temp_max_dc: null,
        board_temp_max_dc: null,
        fan_min_rpm: null,
        fan_max_rpm: null,
        accepted: 0,
        rejected: 0,
      })),
    )
    .execute();
}

testEachDialect('miner events: status changes and command results, scoped', async (t, db) => {
  const a = await seedTenant(db, 'a');
  const b = await seedTenant(db, 'b');
  await insertAgent(db, { id: 'agent-a', tenantId: a.tenantId, siteId: a.siteId });
  await insertAgent(db, { id: 'agent-b', tenantId: b.tenantId, siteId: b.siteId });
  const inA = { agentId: 'agent-a', tenantId: a.tenantId, siteId: a.siteId };
  await insertMiner(db, { ...inA, id: 'm1', customerId: a.customerId });
  await insertMiner(db, { ...inA, id: 'm2' });
  await insertMiner(db, { agentId: 'agent-b', id: 'm1', tenantId: b.tenantId, siteId: b.siteId });
  await db.updateTable('miner').set({ capabilities: '["reboot"]' }).execute();
  await samples(db, 'agent-a', 'm1', [
    [T - 30 * MINUTE, 'ok'],
    [T - MINUTE, 'unreachable'],
    [T, 'ok'],
    [T + MINUTE, 'offline'],
    [T + 2 * MINUTE, 'offline'],
    [T + 3 * MINUTE, 'ok'],
    [T + 4 * MINUTE, 'degraded'],
  ]);
  await samples(db, 'agent-a', 'm2', [
    [T, 'ok'],
    [T + MINUTE, 'auth_failed'],
  ]);
  await samples(db, 'agent-b', 'm1', [
    [T, 'ok'],
    [T + 2 * MINUTE, 'sleeping'],
  ]);
  const now = T + 10 * MINUTE;
  const app = await buildAppOver(t, db, () => now);
  const staff = await accessToken(app, db, a.users.mining_site);
  const customer = await accessToken(app, db, a.users.customer);
  const other = await accessToken(app, db, b.users.owner);

  // A reboot of m1 and m2 that failed on m1 at T + 5 min.
  const created = await app.inject({
    method: 'POST',
    url: '/api/commands',
    headers: { ...bearer(staff), 'idempotency-key': 'events-1' },
    payload: { type: 'reboot', targets: { minerIds: ['m1', 'm2'] } },
  });
  t.equal(created.statusCode, 201, created.body.slice(0, 200));
  const commandId = created.json().data.id;
  await db
    .updateTable('command_target')
    .set({
      state: 'failed',
      reason: 'no answer after the reboot',
      error_code: 'EFFECT_TIMEOUT',
      updated_at: T + 5 * MINUTE,
    })
    .where('miner_id', '=', 'm1')
    .execute();
  await db
    .updateTable('command_target')
    .set({ updated_at: T + 6 * MINUTE })
    .where('miner_id', '=', 'm2')
    .execute();

  const events = (token: string, path: string, query = '') =>
    app.inject({ method: 'GET', url: `/api/miners/${path}/events${query}`, headers: bearer(token) });
  const iso = (ms: number) => new Date(ms).toISOString();
  const status = (ms: number, from: string, to: string) => ({ at: iso(ms), kind: 'status', from, to });

  const staffView = await events(staff, 'agent-a/m1');
  t.equal(staffView.statusCode, 200, staffView.body.slice(0, 300));
  t.same(staffView.json().data, {
    events: [
      {
        at: iso(T + 5 * MINUTE),
        kind: 'command',
        commandId,
        commandType: 'reboot',
        state: 'failed',
        detail: 'no answer after the reboot',
        errorCode: 'EFFECT_TIMEOUT',
      },
      status(T + 4 * MINUTE, 'ok', 'degraded'),
      status(T + 3 * MINUTE, 'offline', 'ok'),
      status(T + MINUTE, 'ok', 'offline'),
      status(T, 'unreachable', 'ok'),
      status(T - MINUTE, 'ok', 'unreachable'),
    ],
    truncated: false,
  });
  // The range: a change at its start is found against the sample before it.
  const ranged = await events(staff, 'agent-a/m1', `?from=${iso(T)}&to=${iso(T + 4 * MINUTE)}`);
  t.same(ranged.json().data.events, [
    status(T + 3 * MINUTE, 'offline', 'ok'),
    status(T + MINUTE, 'ok', 'offline'),
    status(T, 'unreachable', 'ok'),
  ]);
  const limited = (await events(staff, 'agent-a/m1', '?limit=2')).json().data;
  t.equal(limited.events.length, 2);
  t.equal(limited.truncated, true);
  t.same(
    (await events(staff, 'agent-a/m2'))
      .json()
      .data.events.map((e: { kind: string; at: string }) => [e.kind, e.at]),
    [
      ['command', iso(T + 6 * MINUTE)],
      ['status', iso(T + MINUTE)],
    ],
    "m2's own events only",
  );

  // The customer owning m1: its status, no commands (hosting business).
  const own = await events(customer, 'agent-a/m1');
  t.equal(own.statusCode, 200);
  t.same(
    own.json().data.events.map((e: { kind: string }) => e.kind),
    ['status', 'status', 'status', 'status', 'status'],
  );
  // Out of scope reads as missing: another customer's miner, another tenant's, an unknown one.
  const missing = await events(staff, 'agent-a/nope');
  t.equal(missing.statusCode, 404);
  t.equal(missing.json().code, 'MINERS_NOT_FOUND');
  const same = (response: { json(): Record<string, unknown> }) => ({ ...response.json(), timestamp: 0 });
  for (const [who, token, path] of [
    ['a customer, a miner not its own', customer, 'agent-a/m2'],
    ['a customer, another tenant', customer, 'agent-b/m1'],
    ['staff of A, a miner of B', staff, 'agent-b/m1'],
    ['staff of B, a miner of A', other, 'agent-a/m1'],
  ] as const) {
    const response = await events(token, path);
    t.equal(response.statusCode, 404, who);
    t.same(same(response), same(missing), `${who}: like a missing miner`);
  }
  t.same((await events(other, 'agent-b/m1')).json().data.events, [status(T + 2 * MINUTE, 'ok', 'sleeping')]);

  const refused = async (path: string, code = 'VALIDATION_FAILED') => {
    const response = await app.inject({ method: 'GET', url: `/api/miners/${path}`, headers: bearer(staff) });
    t.equal(response.statusCode, 400, `${path.slice(0, 80)}: ${response.body.slice(0, 200)}`);
    t.equal(response.json().code, code, path.slice(0, 80));
  };
  await refused(`agent-a/m1/events?from=${iso(T)}&to=${iso(T)}`, 'FLEET_RANGE_INVALID');
  await refused(`agent-a/m1/events?from=${iso(T - 8 * 1440 * MINUTE)}&to=${iso(T)}`, 'FLEET_RANGE_TOO_LONG');
  await refused('agent-a/m1/events?limit=0');
  await refused('agent-a/m1/events?limit=501');
  await refused('agent-a/m1/events?to=soon');
  await refused('agent-a/m1/events?kind=status');
  const long = await app.inject({
    method: 'GET',
    url: `/api/miners/${'x'.repeat(129)}/m1/events`,
    headers: bearer(staff),
  });
  t.equal(long.statusCode, 404, 'an over-long id matches no route');
  t.equal((await app.inject({ method: 'GET', url: '/api/miners/agent-a/m1/events' })).statusCode, 401);
});
