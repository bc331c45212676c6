// POST /api/commands/preview on every dialect: what create would make of a body (counts per site, approval, refused
// miners), the same refusals as create for the same bodies, tenant isolation, hostile bodies, and that it stores,
// stages, audits and rate-limits nothing of its own.
import { sql } from 'kysely';
import type { Test } from 'tap';
import { type AppDependencies, buildApp } from '../../app.js';
import type { Db } from '../../db/index.js';
import { createEmbeddedBroker } from '../../plugins/broker.js';
import { testEachDialect } from '../../test/databases.js';
import { insertAgent, insertMiner } from '../../test/fleet.js';
import { captureLogs, JWT_SECRET } from '../../test/helpers.js';
import { accessToken, bearer, seedTenant, type TestTenant } from '../../test/identities.js';

const ALL_CAPABILITIES = [
  'reboot',
  'restart-mining',
  'set-pools',
  'led',
  'power-mode',
  'power-limit',
  'set-login',
];
const minerName = (i: number) => `m${String(i).padStart(2, '0')}`;

async function appOver(t: Test, db: Db, extra: Partial<AppDependencies> = {}) {
  const logs = captureLogs();
  const broker = await createEmbeddedBroker(logs.logger, { verifyAgent: async () => false });
  const app = await buildApp({
    db,
    broker,
    jwtSecret: JWT_SECRET,
    logger: logs.logger,
    commandEngine: { timers: false },
    ...extra,
  });
  app.commandEngine.kick = () => undefined;
  t.teardown(async () => {
    await app.close();
    await broker.close();
  });
  return app;
}

/**
 * Tenant A: site "Site a" with agent-a's m00..m19 (m19 cannot do led, m18 is a Whatsminer), site "Site a2" with
 * agent-a2's n0..n1; tenant B: agent-b with m00.
 */
async function fleet(db: Db): Promise<{ a: TestTenant; a2: TestTenant; b: TestTenant }> {
  const a = await seedTenant(db, 'a');
  const a2 = await seedTenant(db, 'a2', a.tenantId);
  const b = await seedTenant(db, 'b');
  await insertAgent(db, { id: 'agent-a', tenantId: a.tenantId, siteId: a.siteId });
  await insertAgent(db, { id: 'agent-a2', tenantId: a.tenantId, siteId: a2.siteId });
  await insertAgent(db, { id: 'agent-b', tenantId: b.tenantId, siteId: b.siteId });
  for (let i = 0; i < 20; i++) {
    await insertMiner(db, { agentId: 'agent-a', id: minerName(i), tenantId: a.tenantId, siteId: a.siteId });
  }
  for (const id of ['n0', 'n1'])
    await insertMiner(db, { agentId: 'agent-a2', id, tenantId: a.tenantId, siteId: a2.siteId });
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
  await db.updateTable('miner').set({ driver: 'whatsminer-btminer' }).where('id', '=', 'm18').execute();
  return { a, a2, b };
}

/** Rows of a table (the vault's credential table is not in the typed schema). */
async function count(db: Db, table: 'command' | 'command_target' | 'command_idempotency' | 'credential') {
  const { rows } = await sql<{ n: string | number }>`select count(*) as n from ${sql.table(table)}`.execute(
    db,
  );
  return Number(rows[0]?.n);
}

let keySeq = 0;

testEachDialect('preview: counts, sites, approval and refused miners, as create would', async (t, db) => {
  const { a, a2, b } = await fleet(db);
  const app = await appOver(t, db);
  const staff = await accessToken(app, db, a.users.mining_site);
  const preview = (payload: unknown, token = staff) =>
    app.inject({
      method: 'POST',
      url: '/api/commands/preview',
      headers: bearer(token),
      payload: payload as object,
    });
  const data = async (payload: unknown) => {
    const response = await preview(payload);
    t.equal(response.statusCode, 200, response.body.slice(0, 300));
    return response.json().data;
  };

  const pair = await data({ type: 'reboot', targets: { minerIds: ['m00', 'm01'] }, expiresInSeconds: 600 });
  t.same(
    { ...pair, notBefore: undefined, expiresAt: undefined },
    {
      targetCount: 2,
      sites: [{ siteId: a.siteId, siteName: 'Site a', count: 2 }],
      requiresApproval: false,
      approvalReasons: [],
      refused: [],
      refusedCount: 0,
      notBefore: undefined,
      expiresAt: undefined,
    },
  );
  t.equal(Date.parse(pair.expiresAt) - Date.parse(pair.notBefore), 600_000, 'expires as create would set it');
  const two = await data({
    type: 'reboot',
    targets: {
      miners: [
        { agentId: 'agent-a2', minerId: 'n1' },
        { agentId: 'agent-a', minerId: 'm03' },
        { agentId: 'agent-a2', minerId: 'n0' },
      ],
    },
  });
  t.same(
    two.sites,
    [
      { siteId: a.siteId, siteName: 'Site a', count: 1 },
      { siteId: a2.siteId, siteName: 'Site a2', count: 2 },
    ],
    'per site, by name',
  );
  // 2 of Site a2's 2 miners is more than 20% of a site: a second operator.
  t.equal(two.requiresApproval, true);
  t.match(two.approvalReasons, [/% of a site/]);

  const site = await data({ type: 'reboot', targets: { siteId: a.siteId } });
  t.match(site, { targetCount: 20, requiresApproval: true, sites: [{ siteId: a.siteId, count: 20 }] });
  t.equal(site.approvalReasons.length, 1);
  const one = await data({ type: 'reboot', targets: { minerIds: ['m05'] } });
  t.match(one, { targetCount: 1, requiresApproval: false, approvalReasons: [] });
  const filtered = await data({ type: 'reboot', targets: { filter: { siteId: a.siteId, q: 'm0' } } });
  t.equal(filtered.targetCount, 10, 'the filter resolves m00..m09 as create does');
  const pools = await data({
    type: 'set_pools',
    targets: { siteId: a2.siteId },
    params: { pools: [{ url: 'stratum+tcp://pool.example:3333', user: 'w', password: 'pool secret' }] },
  });
  t.match(pools.approvalReasons, [/pool changes/]);

  // A miner lacking the capability is listed; create refuses the same body with 422.
  const led = { type: 'led', targets: { minerIds: ['m00', 'm19'] }, params: { on: true } };
  const ledPreview = await data(led);
  t.same(ledPreview.refused, [
    {
      agentId: 'agent-a',
      minerId: 'm19',
      code: 'COMMANDS_CAPABILITY_MISSING',
      reason: 'its driver cannot led (not supported, or not reported yet)',
    },
  ]);
  t.equal(ledPreview.refusedCount, 1);
  t.equal(ledPreview.targetCount, 2);
  const ledCreate = await app.inject({
    method: 'POST',
    url: '/api/commands',
    headers: { ...bearer(staff), 'idempotency-key': `p-${++keySeq}` },
    payload: led,
  });
  t.equal(ledCreate.json().code, 'COMMANDS_CAPABILITY_MISSING', 'create refuses what preview listed');
  // Over a hundred refused: the list stops at 100, the count does not.
  await db.updateTable('miner').set({ capabilities: '[]' }).where('tenant_id', '=', a.tenantId).execute();
  const none = await data({
    type: 'reboot',
    targets: { minerIds: Array.from({ length: 20 }, (_, i) => minerName(i)) },
  });
  t.equal(none.refusedCount, 20);
  t.equal(none.refused.length, 20);

  // B sees its own fleet only.
  const other = await accessToken(app, db, b.users.admin);
  t.same((await preview({ type: 'reboot', targets: { minerIds: ['m00'] } }, other)).json().data.sites, [
    { siteId: b.siteId, siteName: 'Site b', count: 1 },
  ]);

  t.equal(await count(db, 'command'), 0, 'previews store no command');
  t.equal(await count(db, 'command_target'), 0);
  t.equal(await count(db, 'command_idempotency'), 0);
  t.equal(await count(db, 'credential'), 0, 'and stage no secret in the vault');
  await app.auditWritten();
  const audited = await db
    .selectFrom('audit_log')
    .select('route')
    .where('route', '=', '/api/commands/preview')
    .execute();
  t.same(audited, [], 'a preview is a read: no audit row');
});

testEachDialect('preview: the same refusals as create, for the same bodies', async (t, db) => {
  const { a, b } = await fleet(db);
  const app = await appOver(t, db);
  const staff = await accessToken(app, db, a.users.mining_site);
  const call = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url,
      headers: { ...bearer(staff), ...headers },
      payload: payload as object,
    });
  const one = { minerIds: ['m00'] };
  const bodies: [string, unknown, number, string?][] = [
    [
      'a foreign miner by key',
      { type: 'reboot', targets: { miners: [{ agentId: 'agent-b', minerId: 'm00' }] } },
      404,
    ],
    [
      'one foreign among own',
      {
        type: 'reboot',
        targets: {
          miners: [
            { agentId: 'agent-a', minerId: 'm01' },
            { agentId: 'agent-b', minerId: 'm00' },
          ],
        },
      },
      404,
    ],
    ['a foreign site', { type: 'reboot', targets: { siteId: b.siteId } }, 404],
    ['an unknown id', { type: 'reboot', targets: { minerIds: ['m00', 'nope'] } }, 404],
    ['an unknown type', { type: 'format_disk', targets: one }, 400],
    ['params on reboot', { type: 'reboot', targets: one, params: { force: true } }, 400],
    ['led without on', { type: 'led', targets: one, params: {} }, 400],
    ['power mode turbo', { type: 'power_mode', targets: one, params: { mode: 'turbo' } }, 400],
    [
      'a pool url with a login',
      {
        type: 'set_pools',
        targets: one,
        params: { pools: [{ url: 'stratum+tcp://u:p@pool.example:1', user: 'w' }] },
      },
      400,
    ],
    [
      'a password the Whatsminer refuses',
      {
        type: 'update_credentials',
        targets: { minerIds: ['m17', 'm18'] },
        params: { purpose: 'web', username: 'admin', password: 'far-too-long-for-btminer' },
      },
      400,
      'COMMANDS_PARAMS_INVALID',
    ],
    [
      'duplicate ids',
      { type: 'reboot', targets: { minerIds: ['m00', 'm00'] } },
      400,
      'COMMANDS_TARGET_DUPLICATE',
    ],
    [
      'no match',
      { type: 'reboot', targets: { filter: { model: 'Nothing' } } },
      400,
      'COMMANDS_TARGETS_EMPTY',
    ],
    [
      'a schedule in the past',
      { type: 'reboot', targets: one, schedule: { notBefore: '2001-01-01T00:00:00Z' } },
      400,
      'COMMANDS_SCHEDULE_INVALID',
    ],
    ['two target kinds', { type: 'reboot', targets: { minerIds: ['m00'], siteId: a.siteId } }, 400],
    ['an unknown field', { type: 'reboot', targets: one, priority: 'high' }, 400],
    ['an empty filter', { type: 'reboot', targets: { filter: {} } }, 400],
    [
      '10,001 ids',
      { type: 'reboot', targets: { minerIds: Array.from({ length: 10_001 }, (_, i) => `x${i}`) } },
      400,
    ],
    [
      'a __proto__ key',
      JSON.parse('{"type":"reboot","targets":{"minerIds":["m00"]},"__proto__":{"x":1}}'),
      400,
    ],
    ['an array', [], 400],
  ];
  for (const [name, body, status, code] of bodies) {
    const previewed = await call('/api/commands/preview', body);
    const created = await call('/api/commands', body, { 'idempotency-key': `same-${++keySeq}` });
    t.equal(previewed.statusCode, status, `${name}: ${previewed.body.slice(0, 200)}`);
    t.equal(created.statusCode, status, `${name}: create agrees`);
    t.same(
      { ...previewed.json(), timestamp: 0 },
      { ...created.json(), timestamp: 0 },
      `${name}: the same envelope as create`,
    );
    if (code !== undefined) t.equal(previewed.json().code, code, name);
  }
  const foreign = await call('/api/commands/preview', bodies[0]?.[1]);
  t.equal(foreign.json().code, 'COMMANDS_TARGET_NOT_FOUND', 'foreign reads as missing');

  // Beyond the 2 MB body limit of commands; no Idempotency-Key is asked for.
  const huge = await call('/api/commands/preview', {
    type: 'reboot',
    targets: { minerIds: Array.from({ length: 17_000 }, () => 'y'.repeat(128)) },
  });
  t.equal(huge.statusCode, 413);
  t.equal(huge.json().success, false);
  const noKey = await call('/api/commands/preview', { type: 'reboot', targets: one });
  t.equal(noKey.statusCode, 200, 'no Idempotency-Key needed');
  t.equal(await count(db, 'command'), 0, 'nothing stored by any of them');

  const customer = await accessToken(app, db, a.users.customer);
  const asCustomer = await app.inject({
    method: 'POST',
    url: '/api/commands/preview',
    headers: bearer(customer),
    payload: { type: 'reboot', targets: one },
  });
  t.equal(asCustomer.statusCode, 403, 'hosting clients cannot command');
});

testEachDialect("preview: not counted against the operator's command limit", async (t, db) => {
  const { a } = await fleet(db);
  const app = await appOver(t, db, { commands: { policy: { operatorPerMinute: 1, tenantPerMinute: 1 } } });
  const staff = await accessToken(app, db, a.users.mining_site);
  const codes: number[] = [];
  for (let i = 0; i < 5; i++) {
    const response = await app.inject({
      method: 'POST',
      url: '/api/commands/preview',
      headers: bearer(staff),
      payload: { type: 'reboot', targets: { minerIds: ['m00'] } },
    });
    codes.push(response.statusCode);
  }
  t.same(codes, [200, 200, 200, 200, 200]);
  const create = () =>
    app.inject({
      method: 'POST',
      url: '/api/commands',
      headers: { ...bearer(staff), 'idempotency-key': `rl-${++keySeq}` },
      payload: { type: 'reboot', targets: { minerIds: ['m00'] } },
    });
  t.equal((await create()).statusCode, 201, 'the first command still goes');
  t.equal((await create()).statusCode, 429, 'the limit counts commands only');
});
