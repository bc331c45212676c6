// The commands API on every dialect: create (types, targets, capabilities, limits), idempotency, tenant isolation
// of every route, the approval policy, cancel, rate limits and the lifecycle's compare-and-swap writes.
import { sql } from 'kysely';
import type { Test } from 'tap';
import t from 'tap';
import { type AppDependencies, buildApp } from '../../app.js';
import type { Db } from '../../db/index.js';
import { createEmbeddedBroker } from '../../plugins/broker.js';
import { testEachDialect } from '../../test/databases.js';
import { insertAgent, insertMiner } from '../../test/fleet.js';
import { captureLogs, JWT_SECRET } from '../../test/helpers.js';
import { accessToken, bearer, seedTenant, type TestTenant } from '../../test/identities.js';
import { transitionTarget } from './lifecycle.js';
import { applyTargetPatch } from './repository.js';

const ALL_CAPABILITIES = [
  'reboot',
  'restart-mining',
  'set-pools',
  'led',
  'power-mode',
  'power-limit',
  'sleep',
  'set-login',
];
const minerName = (i: number) => `m${String(i).padStart(2, '0')}`;

async function appOver(t: Test, db: Db, extra: Partial<AppDependencies> = {}) {
  const logs = captureLogs();
  const broker = await createEmbeddedBroker(logs.logger, { verifyAgent: async () => false });
  const app = await buildApp({ db, broker, jwtSecret: JWT_SECRET, logger: logs.logger, ...extra });
  // The engine (engine/) has its own tests; here commands stay as the API left them.
  app.commandEngine.kick = () => undefined;
  t.teardown(async () => {
    await app.close();
    await broker.close();
  });
  return { app, logs };
}

/** Tenant A: agent-a with 20 miners m00..m19 in its site (m19 cannot do led); tenant B: agent-b with m00. */
async function fleet(db: Db): Promise<{ a: TestTenant; b: TestTenant }> {
  const a = await seedTenant(db, 'a');
  const b = await seedTenant(db, 'b');
  await insertAgent(db, { id: 'agent-a', tenantId: a.tenantId, siteId: a.siteId });
  await insertAgent(db, { id: 'agent-b', tenantId: b.tenantId, siteId: b.siteId });
  for (let i = 0; i < 20; i++) {
    await insertMiner(db, { agentId: 'agent-a', id: minerName(i), tenantId: a.tenantId, siteId: a.siteId });
  }
  await insertMiner(db, { agentId: 'agent-b', id: 'm00', tenantId: b.tenantId, siteId: b.siteId });
  await db
    .updateTable('miner')
    .set({ capabilities: JSON.stringify(ALL_CAPABILITIES) })
    .execute();
  await db
    .updateTable('miner')
    .set({ capabilities: JSON.stringify(ALL_CAPABILITIES.filter((c) => c !== 'led')) })
    .where('id', '=', 'm19')
    .execute();
  return { a, b };
}

async function count(db: Db, table: 'command' | 'command_target' | 'command_idempotency'): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select(db.fn.countAll<string | number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

let keySeq = 0;
const freshKey = () => `key-${process.pid}-${++keySeq}`;

testEachDialect('commands: create, read, list, idempotency and tenant isolation', async (t, db) => {
  const { a, b } = await fleet(db);
  const { app } = await appOver(t, db, { commandEngine: { timers: false } });
  const staff = await accessToken(app, db, a.users.mining_site);
  const admin = await accessToken(app, db, a.users.admin);
  const other = await accessToken(app, db, b.users.admin);
  const customer = await accessToken(app, db, a.users.customer);
  const post = (token: string, payload: unknown, key: string | null = freshKey()) =>
    app.inject({
      method: 'POST',
      url: '/api/commands',
      headers: { ...bearer(token), ...(key === null ? {} : { 'idempotency-key': key }) },
      payload: payload as object,
    });

  const reboot = { type: 'reboot', targets: { minerIds: ['m00', 'm01'] } };
  const created = await post(staff, reboot, 'k1');
  t.equal(created.statusCode, 201, created.body);
  const command = created.json().data;
  t.match(command, {
    type: 'reboot',
    state: 'queued',
    status: 'active',
    targetCount: 2,
    requiresApproval: false,
    counts: { queued: 2 },
    createdBy: a.users.mining_site.id,
  });
  t.match(command.canonicalHash, /^[0-9a-f]{64}$/);

  const read = await app.inject({
    method: 'GET',
    url: `/api/commands/${command.id}`,
    headers: bearer(admin),
  });
  t.equal(read.statusCode, 200);
  t.same(
    read
      .json()
      .data.targets.map((x: { agentId: string; minerId: string; state: string }) => [
        x.agentId,
        x.minerId,
        x.state,
      ]),
    [
      ['agent-a', 'm00', 'queued'],
      ['agent-a', 'm01', 'queued'],
    ],
  );

  // Idempotency: same key and body -> the same command (200); another body -> 422; none -> 400.
  const again = await post(staff, reboot, 'k1');
  t.equal(again.statusCode, 200);
  t.equal(again.json().data.id, command.id);
  const changed = await post(staff, { ...reboot, targets: { minerIds: ['m02'] } }, 'k1');
  t.equal(changed.statusCode, 422);
  t.equal(changed.json().code, 'COMMANDS_IDEMPOTENCY_MISMATCH');
  const missing = await post(staff, reboot, null);
  t.equal(missing.statusCode, 400);
  t.equal(missing.json().code, 'COMMANDS_IDEMPOTENCY_KEY_REQUIRED');
  const byAdmin = await post(admin, reboot, 'k1');
  t.equal(byAdmin.statusCode, 201, 'keys are per operator');
  t.not(byAdmin.json().data.id, command.id);
  t.equal(await count(db, 'command'), 2);

  // Concurrent requests with one key make one command.
  const racing = await Promise.all(Array.from({ length: 6 }, () => post(staff, reboot, 'k-race')));
  t.same(new Set(racing.map((r) => r.json().data?.id)).size, 1, racing.map((r) => r.body).join('\n'));
  t.same(racing.map((r) => r.statusCode).sort(), [200, 200, 200, 200, 200, 201]);
  t.equal(await count(db, 'command'), 3);

  // Tenant isolation: B's miner named by id (m00 exists in B too: A's resolves), by key, B's site.
  const foreignKey = await post(staff, {
    type: 'reboot',
    targets: { miners: [{ agentId: 'agent-b', minerId: 'm00' }] },
  });
  t.equal(foreignKey.statusCode, 404);
  t.equal(foreignKey.json().code, 'COMMANDS_TARGET_NOT_FOUND');
  const mixed = await post(staff, {
    type: 'reboot',
    targets: {
      miners: [
        { agentId: 'agent-a', minerId: 'm03' },
        { agentId: 'agent-b', minerId: 'm00' },
      ],
    },
  });
  t.equal(mixed.statusCode, 404, 'one foreign target fails the whole request');
  const foreignSite = await post(staff, { type: 'reboot', targets: { siteId: b.siteId } });
  t.equal(foreignSite.statusCode, 404);
  const unknown = await post(staff, { type: 'reboot', targets: { minerIds: ['m00', 'nope'] } });
  t.equal(unknown.statusCode, 404);
  t.equal(await count(db, 'command'), 3, 'nothing stored for refused requests');
  const bOwn = await post(other, { type: 'reboot', targets: { minerIds: ['m00'] } });
  t.equal(bOwn.statusCode, 201);
  t.same(
    (await app.inject({ method: 'GET', url: `/api/commands/${bOwn.json().data.id}`, headers: bearer(other) }))
      .json()
      .data.targets.map((x: { agentId: string }) => x.agentId),
    ['agent-b'],
  );

  for (const [method, url, payload] of [
    ['GET', `/api/commands/${command.id}`],
    ['GET', `/api/commands/${command.id}/events`],
    ['POST', `/api/commands/${command.id}/cancel`],
    ['POST', `/api/commands/${command.id}/approve`, { canonicalHash: command.canonicalHash }],
  ] as const) {
    const foreign = await app.inject({
      method,
      url,
      headers: bearer(other),
      ...(payload ? { payload } : {}),
    });
    const absent = await app.inject({
      method,
      url: url.replace(command.id, '00000000-0000-7000-8000-00000000dead'),
      headers: bearer(other),
      ...(payload ? { payload } : {}),
    });
    t.equal(foreign.statusCode, 404, `${method} ${url} from B`);
    t.same({ ...foreign.json(), timestamp: 0 }, { ...absent.json(), timestamp: 0 }, 'like a missing one');
  }
  const listB = (await app.inject({ method: 'GET', url: '/api/commands', headers: bearer(other) })).json()
    .data;
  t.same(
    listB.commands.map((c: { id: string }) => c.id),
    [bOwn.json().data.id],
    "B's list holds only B's command",
  );
  t.equal(
    (await app.inject({ method: 'GET', url: '/api/commands', headers: bearer(customer) })).statusCode,
    403,
  );
  t.equal((await post(customer, reboot)).statusCode, 403, 'customers cannot command');

  // List: newest first, paged by cursor.
  const page1 = (
    await app.inject({ method: 'GET', url: '/api/commands?limit=2', headers: bearer(admin) })
  ).json().data;
  t.equal(page1.commands.length, 2);
  t.ok(page1.nextCursor);
  const page2 = (
    await app.inject({
      method: 'GET',
      url: `/api/commands?limit=2&cursor=${page1.nextCursor}`,
      headers: bearer(admin),
    })
  ).json().data;
  t.same(page2.commands.length, 1);
  t.equal(page2.nextCursor, null);
  t.equal(page2.commands[0].id, command.id, 'the oldest last');

  // Every request is in the audit log, refused ones too.
  await app.auditWritten();
  const audited = await db
    .selectFrom('audit_log')
    .select(['outcome', 'status_code'])
    .where('route', '=', '/api/commands')
    .where('method', '=', 'POST')
    .execute();
  t.ok(
    audited.some((row) => row.outcome === 'failure' && row.status_code === 404),
    'the request naming a foreign miner is audited as a failure',
  );
  t.ok(audited.some((row) => row.outcome === 'success'));
});

testEachDialect(
  'commands: params, targets and capabilities are checked before anything is stored',
  async (t, db) => {
    const { a } = await fleet(db);
    const { app } = await appOver(t, db, { commandEngine: { timers: false } });
    const staff = await accessToken(app, db, a.users.mining_site);
    const post = (payload: unknown, headers: Record<string, string> = {}) =>
      app.inject({
        method: 'POST',
        url: '/api/commands',
        headers: { ...bearer(staff), 'idempotency-key': freshKey(), ...headers },
        payload: payload as object,
      });
    const one = { minerIds: ['m00'] };
    const refused: [string, unknown, number, string?][] = [
      ['unknown type', { type: 'format_disk', targets: one }, 400],
      ['params on reboot', { type: 'reboot', targets: one, params: { force: true } }, 400],
      ['led without on', { type: 'led', targets: one, params: {} }, 400],
      ['led as text', { type: 'led', targets: one, params: { on: 'yes' } }, 400],
      ['led too long', { type: 'led', targets: one, params: { on: true, durationS: 86_401 } }, 400],
      ['power mode turbo', { type: 'power_mode', targets: one, params: { mode: 'turbo' } }, 400],
      ['power limit 0 W', { type: 'power_limit_w', targets: one, params: { watts: 0 } }, 400],
      ['power limit fractional', { type: 'power_limit_w', targets: one, params: { watts: 1500.5 } }, 400],
      ['no pools', { type: 'set_pools', targets: one, params: { pools: [] } }, 400],
      [
        'four pools',
        {
          type: 'set_pools',
          targets: one,
          params: {
            pools: Array.from({ length: 4 }, () => ({ url: 'stratum+tcp://p.example:3333', user: 'u' })),
          },
        },
        400,
      ],
      ...(
        [
          'http://pool.example:3333',
          'stratum+tcp://pool.example',
          'stratum+tcp://user:pw@pool.example:3333',
          'stratum+tcp://pool.example:3333/path',
          'stratum+tcp://pool.example:3333?x=1',
          'stratum+tcp://pool_.example:3333',
          'not a url',
        ] as const
      ).map((url): [string, unknown, number, string?] => [
        `pool url ${url}`,
        { type: 'set_pools', targets: one, params: { pools: [{ url, user: 'w1' }] } },
        400,
      ]),
      [
        'CRLF in a pool user',
        {
          type: 'set_pools',
          targets: one,
          params: { pools: [{ url: 'stratum+tcp://p.example:3333', user: 'a\r\nb' }] },
        },
        400,
      ],
      [
        'NUL in a pool password',
        {
          type: 'set_pools',
          targets: one,
          params: { pools: [{ url: 'stratum+tcp://p.example:3333', user: 'w', password: 'x\u0000' }] },
        },
        400,
      ],
      [
        '256-character pool url',
        {
          type: 'set_pools',
          targets: one,
          params: { pools: [{ url: `stratum+tcp://${'a'.repeat(240)}.example:1`, user: 'w' }] },
        },
        400,
      ],
      [
        'update_credentials with both',
        {
          type: 'update_credentials',
          targets: one,
          params: { purpose: 'web', username: 'root', password: 'abcdefgh', generate: true },
        },
        400,
      ],
      [
        'update_credentials without a username',
        { type: 'update_credentials', targets: one, params: { purpose: 'web', password: 'abcdefgh' } },
        400,
      ],
      [
        'update_credentials with neither',
        { type: 'update_credentials', targets: one, params: { purpose: 'web', username: 'root' } },
        400,
      ],
      ['two target kinds', { type: 'reboot', targets: { minerIds: ['m00'], siteId: a.siteId } }, 400],
      ['no target kind', { type: 'reboot', targets: {} }, 400],
      [
        'duplicate ids',
        { type: 'reboot', targets: { minerIds: ['m00', 'm00'] } },
        400,
        'COMMANDS_TARGET_DUPLICATE',
      ],
      [
        'duplicate pairs',
        {
          type: 'reboot',
          targets: {
            miners: [
              { agentId: 'agent-a', minerId: 'm01' },
              { agentId: 'agent-a', minerId: 'm01' },
            ],
          },
        },
        400,
        'COMMANDS_TARGET_DUPLICATE',
      ],
      [
        '10,001 targets',
        { type: 'reboot', targets: { minerIds: Array.from({ length: 10_001 }, (_, i) => `x${i}`) } },
        400,
      ],
      [
        'empty filter match',
        { type: 'reboot', targets: { filter: { model: 'Nothing' } } },
        400,
        'COMMANDS_TARGETS_EMPTY',
      ],
      [
        'led on a miner without led',
        { type: 'led', targets: { minerIds: ['m00', 'm19'] }, params: { on: true } },
        422,
        'COMMANDS_CAPABILITY_MISSING',
      ],
      [
        'schedule in the past',
        { type: 'reboot', targets: one, schedule: { notBefore: '2001-01-01T00:00:00Z' } },
        400,
        'COMMANDS_SCHEDULE_INVALID',
      ],
      ['expiry too short', { type: 'reboot', targets: one, expiresInSeconds: 1 }, 400],
      ['unknown top-level field', { type: 'reboot', targets: one, priority: 'high' }, 400],
      ['an empty miner id', { type: 'reboot', targets: { minerIds: [''] } }, 400],
      ['a 129-character miner id', { type: 'reboot', targets: { minerIds: ['x'.repeat(129)] } }, 400],
      ['an unknown filter key', { type: 'reboot', targets: { filter: { ip: '10.0.0.1' } } }, 400],
      ['an empty filter', { type: 'reboot', targets: { filter: {} } }, 400],
      ['a target pair without agent', { type: 'reboot', targets: { miners: [{ minerId: 'm00' }] } }, 400],
      [
        'prototype key',
        JSON.parse('{"type":"reboot","targets":{"minerIds":["m00"]},"__proto__":{"x":1}}'),
        400,
      ],
      ['array body', [], 400],
    ];
    for (const [name, payload, status, code] of refused) {
      const response = await post(payload);
      t.equal(response.statusCode, status, `${name}: ${response.body.slice(0, 200)}`);
      t.equal(response.json().success, false);
      if (code !== undefined) t.equal(response.json().code, code, name);
    }
    t.equal(await count(db, 'command'), 0, 'nothing was stored');
    t.equal(await count(db, 'command_idempotency'), 0, 'refused requests hold no key');

    // An unreported driver (capabilities []) can do nothing.
    await db.updateTable('miner').set({ capabilities: '[]' }).where('id', '=', 'm05').execute();
    t.equal((await post({ type: 'reboot', targets: { minerIds: ['m05'] } })).statusCode, 422);
    await db.updateTable('miner').set({ capabilities: 'not json' }).where('id', '=', 'm05').execute();
    t.equal(
      (await post({ type: 'reboot', targets: { minerIds: ['m05'] } })).statusCode,
      422,
      'garbage reads as none',
    );

    await db
      .updateTable('miner')
      .set({ capabilities: JSON.stringify(ALL_CAPABILITIES) })
      .where('id', '=', 'm05')
      .execute();
    // Oversized: beyond the route's 2 MB body limit.
    const huge = await post({
      type: 'reboot',
      targets: { minerIds: Array.from({ length: 17_000 }, () => 'y'.repeat(128)) },
    });
    t.equal(huge.statusCode, 413);
    for (const key of ['with space', 'x'.repeat(256), 'ключ', 'tab\there']) {
      const badKey = await post({ type: 'reboot', targets: one }, { 'idempotency-key': key });
      t.equal(badKey.statusCode, 400, `Idempotency-Key ${JSON.stringify(key.slice(0, 20))}`);
    }

    // Accepted: each type with good params, the stored params without pool passwords in them.
    const good: [unknown, string][] = [
      [{ type: 'restart_mining', targets: one }, 'restart_mining'],
      [{ type: 'wake', targets: one, params: {} }, 'wake'],
      [{ type: 'led', targets: one, params: { on: true, durationS: 600 } }, 'led'],
      [{ type: 'power_mode', targets: one, params: { mode: 'sleep' } }, 'power_mode'],
      [{ type: 'power_limit_w', targets: one, params: { watts: 3000 } }, 'power_limit_w'],
      [
        {
          type: 'set_pools',
          targets: one,
          params: {
            pools: [
              { url: 'stratum+tcp://pool.example:3333', user: 'site.w1' },
              { url: 'stratum+ssl://[2001:db8::1]:443', user: 'w2' },
            ],
          },
        },
        'set_pools',
      ],
      [
        { type: 'reboot', targets: { filter: { siteId: a.siteId, q: 'm0' } }, expiresInSeconds: 600 },
        'reboot',
      ],
    ];
    for (const [payload, type] of good) {
      const response = await post(payload);
      t.equal(response.statusCode, 201, `${type}: ${response.body.slice(0, 300)}`);
    }
    const led = await db
      .selectFrom('command')
      .select(['params', 'target_count'])
      .where('type', '=', 'led')
      .executeTakeFirstOrThrow();
    t.same(JSON.parse(led.params), { on: true, durationS: 600 });
    const filtered = await db
      .selectFrom('command')
      .select('target_count')
      .where('type', '=', 'reboot')
      .executeTakeFirstOrThrow();
    t.equal(filtered.target_count, 10, 'the filter resolved m00..m09');

    // One id under two agents of the tenant: by id it is ambiguous, by (agent, miner) it is not.
    await insertAgent(db, { id: 'agent-a2', tenantId: a.tenantId, siteId: a.siteId });
    await insertMiner(db, { agentId: 'agent-a2', id: 'm00', tenantId: a.tenantId, siteId: a.siteId });
    await db
      .updateTable('miner')
      .set({ capabilities: '["reboot"]' })
      .where('agent_id', '=', 'agent-a2')
      .execute();
    const ambiguous = await post({ type: 'reboot', targets: { minerIds: ['m00'] } });
    t.equal(ambiguous.json().code, 'COMMANDS_TARGET_AMBIGUOUS');
    const exact = await post({
      type: 'reboot',
      targets: { miners: [{ agentId: 'agent-a2', minerId: 'm00' }] },
    });
    t.equal(exact.statusCode, 201);
  },
);

testEachDialect('commands: two-person approval, bound to the exact command, with a window', async (t, db) => {
  const { a } = await fleet(db);
  let clock = Date.now();
  const { app } = await appOver(t, db, { now: () => clock, commandEngine: { timers: false } });
  const staff = await accessToken(app, db, a.users.mining_site);
  const admin = await accessToken(app, db, a.users.admin);
  const owner = await accessToken(app, db, a.users.owner);
  const post = (payload: object) =>
    app.inject({
      method: 'POST',
      url: '/api/commands',
      headers: { ...bearer(staff), 'idempotency-key': freshKey() },
      payload,
    });
  const approve = (token: string, id: string, canonicalHash: string) =>
    app.inject({
      method: 'POST',
      url: `/api/commands/${id}/approve`,
      headers: bearer(token),
      payload: { canonicalHash },
    });

  // 4 of 20 miners = 20%: alone; 5 = 25%: a second operator.
  const four = await post({ type: 'reboot', targets: { minerIds: ['m00', 'm01', 'm02', 'm03'] } });
  t.match(four.json().data, { requiresApproval: false, status: 'active' });
  const five = await post({ type: 'reboot', targets: { minerIds: ['m00', 'm01', 'm02', 'm03', 'm04'] } });
  t.match(five.json().data, {
    requiresApproval: true,
    status: 'awaiting_approval',
    state: 'awaiting_approval',
  });
  t.match(five.json().data.approvalReason, /%/);
  const siteWide = (await post({ type: 'reboot', targets: { siteId: a.siteId } })).json().data;
  t.match(siteWide, { requiresApproval: true, targetCount: 20 });
  const pools = (
    await post({
      type: 'set_pools',
      targets: { siteId: a.siteId },
      params: { pools: [{ url: 'stratum+tcp://pool.example:3333', user: 'w' }] },
    })
  ).json().data;
  t.match(pools.approvalReason, /pool changes/);

  t.equal((await approve(staff, siteWide.id, siteWide.canonicalHash)).json().code, 'COMMANDS_SELF_APPROVAL');
  const wrongHash = await approve(admin, siteWide.id, 'f'.repeat(64));
  t.equal(wrongHash.statusCode, 409);
  t.equal(wrongHash.json().code, 'COMMANDS_APPROVAL_STALE');

  // A stored row changed after it was read (a target added behind the API's back): the approval is refused.
  await db
    .insertInto('command_target')
    .values({
      command_id: pools.id,
      agent_id: 'agent-b',
      miner_id: 'm00',
      site_id: null,
      state: 'queued',
      reason: '',
      error_code: '',
      credential_id: null,
      credential_version: null,
      dispatch_id: null,
      queued_at: clock,
      dispatched_at: null,
      received_at: null,
      started_at: null,
      finished_at: null,
      updated_at: clock,
      version: 0,
    })
    .execute();
  t.equal((await approve(admin, pools.id, pools.canonicalHash)).json().code, 'COMMANDS_APPROVAL_STALE');

  const approved = await approve(admin, siteWide.id, siteWide.canonicalHash);
  t.equal(approved.statusCode, 200, approved.body);
  t.match(approved.json().data, { status: 'active', approvedBy: a.users.admin.id, state: 'queued' });
  t.equal(
    (await approve(owner, siteWide.id, siteWide.canonicalHash)).json().code,
    'COMMANDS_APPROVAL_NOT_PENDING',
  );
  t.equal((await approve(admin, four.json().data.id, four.json().data.canonicalHash)).statusCode, 409);

  // dispatchAllowed (what the engine asks) follows the approval and the rows.
  const { dispatchAllowed } = await import('./service.js');
  const row = async (id: string) =>
    db.selectFrom('command').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  t.equal(await dispatchAllowed(db, await row(siteWide.id), clock), true, 'approved: may go');
  t.equal(await dispatchAllowed(db, await row(five.json().data.id), clock), false, 'unapproved: never');
  t.equal(await dispatchAllowed(db, await row(four.json().data.id), clock), true, 'no approval needed');
  await db
    .updateTable('command_target')
    .set({ miner_id: 'm99' })
    .where('command_id', '=', siteWide.id)
    .where('miner_id', '=', 'm00')
    .execute();
  t.equal(
    await dispatchAllowed(db, await row(siteWide.id), clock),
    false,
    'a changed target voids the approval',
  );

  // The window: 4 h after the request, approval fails and the command expires with its targets.
  clock += 4 * 3600_000 + 1;
  const late = await approve(admin, five.json().data.id, five.json().data.canonicalHash);
  t.equal(late.json().code, 'COMMANDS_APPROVAL_EXPIRED');
  const expired = (
    await app.inject({ method: 'GET', url: `/api/commands/${five.json().data.id}`, headers: bearer(admin) })
  ).json().data;
  t.match(expired, { status: 'expired', state: 'expired' });
  t.same(new Set(expired.targets.map((x: { state: string }) => x.state)), new Set(['expired']));

  // A command past its own expiry cannot be approved either, even inside the window.
  const short = (await post({ type: 'reboot', targets: { siteId: a.siteId }, expiresInSeconds: 60 })).json()
    .data;
  clock += 61_000;
  t.equal((await approve(admin, short.id, short.canonicalHash)).json().code, 'COMMANDS_APPROVAL_EXPIRED');

  // Refused approvals are in the audit log as failures, the granted one as a success.
  await app.auditWritten();
  const audited = await db
    .selectFrom('audit_log')
    .select(['outcome', 'status_code', 'actor_id'])
    .where('route', '=', '/api/commands/:id/approve')
    .orderBy('seq')
    .execute();
  t.same(
    audited.map((row) => `${row.outcome}:${row.status_code}`),
    [
      'failure:403',
      'failure:409',
      'failure:409',
      'success:200',
      'failure:409',
      'failure:409',
      'failure:409',
      'failure:409',
    ],
  );
});

testEachDialect('commands: idempotency keys expire after 24 h', async (t, db) => {
  const { a } = await fleet(db);
  let clock = Date.now();
  const { app } = await appOver(t, db, { now: () => clock, commandEngine: { timers: false } });
  const staff = await accessToken(app, db, a.users.mining_site);
  const post = (minerId: string) =>
    app.inject({
      method: 'POST',
      url: '/api/commands',
      headers: { ...bearer(staff), 'idempotency-key': 'daily' },
      payload: { type: 'reboot', targets: { minerIds: [minerId] } },
    });
  const first = await post('m00');
  clock += 24 * 3600_000 - 1;
  t.equal((await post('m01')).statusCode, 422, 'still held just before 24 h');
  clock += 2;
  const later = await post('m01');
  t.equal(later.statusCode, 201, 'a day later the key is free again');
  t.not(later.json().data.id, first.json().data.id);
  t.equal(await count(db, 'command_idempotency'), 1, 'the expired entry was replaced');
  const { deleteExpiredIdempotency } = await import('./repository.js');
  t.equal(await deleteExpiredIdempotency(db, clock + 24 * 3600_000), 1);
});

testEachDialect('commands: cancel', async (t, db) => {
  const { a } = await fleet(db);
  const { app } = await appOver(t, db, { commandEngine: { timers: false } });
  const staff = await accessToken(app, db, a.users.mining_site);
  const sent: string[] = [];
  app.commands.cancelDispatched = async (id) => void sent.push(id);
  const created = (
    await app.inject({
      method: 'POST',
      url: '/api/commands',
      headers: { ...bearer(staff), 'idempotency-key': freshKey() },
      payload: { type: 'reboot', targets: { minerIds: ['m00', 'm01', 'm02'] } },
    })
  ).json().data;
  // As the engine would have left them: m01 on its agent, m02 running.
  await db
    .updateTable('command_target')
    .set({ state: 'dispatched', version: 1 })
    .where('miner_id', '=', 'm01')
    .execute();
  await db
    .updateTable('command_target')
    .set({ state: 'running', version: 3 })
    .where('miner_id', '=', 'm02')
    .execute();
  const cancel = () =>
    app.inject({ method: 'POST', url: `/api/commands/${created.id}/cancel`, headers: bearer(staff) });
  const first = await cancel();
  t.equal(first.statusCode, 200, first.body);
  t.same(first.json().data, { id: created.id, cancelled: 1, cancelRequested: 1 });
  t.same(sent, [created.id], 'the engine was asked to send a CancelCommand');
  const after = (
    await app.inject({ method: 'GET', url: `/api/commands/${created.id}`, headers: bearer(staff) })
  ).json().data;
  t.same(
    after.targets.map((x: { minerId: string; state: string }) => `${x.minerId}:${x.state}`),
    ['m00:cancelled', 'm01:dispatched', 'm02:running'],
    'running ones run on',
  );
  t.equal(after.status, 'cancelled');
  t.ok(after.targets[0].finishedAt);
  t.equal(after.finishedAt, null, 'not over while targets are on their agent');
  const second = await cancel();
  t.equal(second.statusCode, 409);
  t.equal(second.json().code, 'COMMANDS_NOT_CANCELLABLE');
});

testEachDialect('commands: rate limits per operator and per tenant', async (t, db) => {
  const { a } = await fleet(db);
  const { app } = await appOver(t, db, {
    commands: { policy: { operatorPerMinute: 3, tenantPerMinute: 5 } },
  });
  const staff = await accessToken(app, db, a.users.mining_site);
  const admin = await accessToken(app, db, a.users.admin);
  const post = (token: string) =>
    app.inject({
      method: 'POST',
      url: '/api/commands',
      headers: { ...bearer(token), 'idempotency-key': freshKey() },
      payload: { type: 'reboot', targets: { minerIds: ['m00'] } },
    });
  const staffCodes = [];
  for (let i = 0; i < 4; i++) staffCodes.push((await post(staff)).statusCode);
  t.same(staffCodes, [201, 201, 201, 429], 'the operator limit');
  const limited = await post(staff);
  t.match(limited.json(), { success: false, code: 'COMMANDS_RATE_LIMITED', error: /operator/ });
  const adminAnswers = [];
  for (let i = 0; i < 3; i++) adminAnswers.push(await post(admin));
  t.same(
    adminAnswers.map((r) => r.statusCode),
    [201, 201, 429],
    'the tenant limit: 3 by staff (refused ones count for the operator only), 2 more',
  );
  t.match(adminAnswers[2]?.json().error, /tenant/);
  t.equal(await count(db, 'command'), 5);
});

testEachDialect('commands: target writes compare and swap on the version', async (t, db) => {
  const { a } = await fleet(db);
  const { app } = await appOver(t, db, { commandEngine: { timers: false } });
  const staff = await accessToken(app, db, a.users.mining_site);
  const id = (
    await app.inject({
      method: 'POST',
      url: '/api/commands',
      headers: { ...bearer(staff), 'idempotency-key': freshKey() },
      payload: { type: 'reboot', targets: { minerIds: ['m00'] } },
    })
  ).json().data.id;
  const key = { commandId: id, agentId: 'agent-a', minerId: 'm00' };
  const step = transitionTarget({ state: 'queued', version: 0 }, 'dispatched', 5);
  const racer = transitionTarget({ state: 'queued', version: 0 }, 'cancelled', 6);
  if (!step.ok || !racer.ok) throw new Error('lifecycle refused');
  t.equal(await applyTargetPatch(db, key, step.fromVersion, step.patch), true);
  t.equal(await applyTargetPatch(db, key, racer.fromVersion, racer.patch), false, 'the loser sees false');
  const row = await sql<{ state: string; version: number; dispatched_at: number | string }>`
    select state, version, dispatched_at from command_target where command_id = ${id}`.execute(db);
  t.same(
    row.rows.map((r) => [r.state, Number(r.version), Number(r.dispatched_at)]),
    [['dispatched', 1, 5]],
  );
});

t.test('the kick channel is the engine one', async (t) => {
  const { ENGINE_KICK_CHANNEL } = await import('./events.js');
  const { KICK_CHANNEL } = await import('./engine/index.js');
  t.equal(ENGINE_KICK_CHANNEL, KICK_CHANNEL);
});

testEachDialect('commands: 10,000 targets is the most, however they are named', async (t, db) => {
  const a = await seedTenant(db, 'a');
  await insertAgent(db, { id: 'agent-big', tenantId: a.tenantId, siteId: a.siteId });
  const rows = Array.from({ length: 10_001 }, (_, i) => ({
    agent_id: 'agent-big',
    id: `b${String(i).padStart(5, '0')}`,
    ip: '',
    mac: '',
    serial: '',
    vendor: 'bitmain',
    model: 'Antminer S19',
    firmware: '',
    hostname: '',
    first_seen_at: 1,
    last_seen_at: 1,
    tenant_id: a.tenantId,
    site_id: a.siteId,
    customer_id: null,
    capabilities: '["reboot"]',
  }));
  for (let i = 0; i < rows.length; i += 500)
    await db
      .insertInto('miner')
      .values(rows.slice(i, i + 500))
      .execute();
  const { app } = await appOver(t, db, { commandEngine: { timers: false } });
  const staff = await accessToken(app, db, a.users.mining_site);
  const post = (targets: object) =>
    app.inject({
      method: 'POST',
      url: '/api/commands',
      headers: { ...bearer(staff), 'idempotency-key': freshKey() },
      payload: { type: 'reboot', targets },
    });
  const bySite = await post({ siteId: a.siteId });
  t.equal(bySite.json().code, 'COMMANDS_TARGETS_TOO_MANY', '10,001 miners of a site');
  const started = Date.now();
  const byIds = await post({ minerIds: rows.slice(0, 10_000).map((row) => row.id) });
  t.equal(byIds.statusCode, 201, byIds.body.slice(0, 200));
  t.match(byIds.json().data, { targetCount: 10_000, requiresApproval: true });
  t.comment(`10,000 targets created in ${Date.now() - started} ms`);
  t.equal(await count(db, 'command_target'), 10_000);
  const read = await app.inject({
    method: 'GET',
    url: `/api/commands/${byIds.json().data.id}`,
    headers: bearer(staff),
  });
  t.equal(read.json().data.targets.length, 10_000);
});

testEachDialect(
  'commands: a schedule holds dispatch; unapproved commands expire after the window',
  async (t, db) => {
    const { a } = await fleet(db);
    let clock = Date.now();
    const { app } = await appOver(t, db, { now: () => clock, commandEngine: { timers: false } });
    const staff = await accessToken(app, db, a.users.mining_site);
    const post = (payload: object) =>
      app.inject({
        method: 'POST',
        url: '/api/commands',
        headers: { ...bearer(staff), 'idempotency-key': freshKey() },
        payload,
      });
    const { dispatchAllowed, expireLateApprovals } = await import('./service.js');
    const row = async (id: string) =>
      db.selectFrom('command').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

    const at = new Date(clock + 3600_000).toISOString();
    const scheduled = (
      await post({
        type: 'reboot',
        targets: { minerIds: ['m00'] },
        schedule: { notBefore: at },
        expiresInSeconds: 600,
      })
    ).json().data;
    t.match(scheduled, {
      state: 'scheduled',
      notBefore: at,
      expiresAt: new Date(clock + 4200_000).toISOString(),
    });
    t.equal(await dispatchAllowed(db, await row(scheduled.id), clock), false, 'not before its time');
    t.equal(await dispatchAllowed(db, await row(scheduled.id), clock + 3600_000), true, 'at its time');
    t.equal(await dispatchAllowed(db, await row(scheduled.id), clock + 4200_000), false, 'not once expired');
    t.equal(
      (
        await post({
          type: 'reboot',
          targets: { minerIds: ['m00'] },
          schedule: { notBefore: new Date(clock + 32 * 86_400_000).toISOString() },
        })
      ).json().code,
      'COMMANDS_SCHEDULE_INVALID',
      'not more than 31 days ahead',
    );

    const unapproved = (
      await post({ type: 'reboot', targets: { siteId: a.siteId }, expiresInSeconds: 86_400 })
    ).json().data;
    t.equal(unapproved.status, 'awaiting_approval');
    const deps = app.commands.deps;
    t.equal(await expireLateApprovals(deps), 0, 'inside the window: nothing to do');
    clock += 4 * 3600_000 + 1;
    t.equal(await expireLateApprovals(deps), 1);
    t.equal(await expireLateApprovals(deps), 0, 'once');
    const after = (
      await app.inject({ method: 'GET', url: `/api/commands/${unapproved.id}`, headers: bearer(staff) })
    ).json().data;
    t.match(after, { status: 'expired', state: 'expired', statusReason: 'not approved in time' });
    t.ok(after.targets.every((x: { state: string }) => x.state === 'expired'));
  },
);
