// /api/portal/keys: a hosting client manages its own Portal Lite API keys from its login. A key it makes works on
// Portal Lite until revoked; nobody else — another customer, another tenant, staff, or a key itself — can list,
// revoke or mint them. On every dialect.
import type { FastifyInstance } from 'fastify';
import type { Test } from 'tap';
import type { Db } from '../../db/index.js';
import { testEachDialect } from '../../test/databases.js';
import { buildAppOver, insertAgent, insertMiner } from '../../test/fleet.js';
import { accessToken, bearer, seedTenant, type TestTenant } from '../../test/identities.js';

type Headers = Record<string, string>;

async function setup(t: Test, db: Db) {
  const app = await buildAppOver(t, db);
  const a = await seedTenant(db, 'a');
  const a2 = await seedTenant(db, 'a2', a.tenantId); // another customer of the same tenant
  const b = await seedTenant(db, 'b');
  await insertAgent(db, { id: 'agent-a', tenantId: a.tenantId, siteId: a.siteId });
  for (const [id, tenant] of [
    ['mine', a],
    ['theirs', a2],
  ] as const) {
    await insertMiner(db, {
      agentId: 'agent-a',
      id,
      tenantId: tenant.tenantId,
      siteId: tenant.siteId,
      customerId: tenant.customerId,
    });
  }
  const login = async (tenant: TestTenant, role: keyof TestTenant['users'] = 'customer') =>
    bearer(await accessToken(app, db, tenant.users[role]));
  return { app, a, a2, b, login };
}

const create = (app: FastifyInstance, headers: Headers, payload: unknown) =>
  app.inject({
    method: 'POST',
    url: '/api/portal/keys',
    headers,
    payload: payload as Record<string, unknown>,
  });
const list = (app: FastifyInstance, headers: Headers) =>
  app.inject({ method: 'GET', url: '/api/portal/keys', headers });
const revoke = (app: FastifyInstance, headers: Headers, id: string) =>
  app.inject({ method: 'DELETE', url: `/api/portal/keys/${id}`, headers });
const portalMiners = (app: FastifyInstance, key: string) =>
  app.inject({ method: 'GET', url: '/api/v1/portal/miners', headers: { authorization: `ApiKey ${key}` } });
const withoutTime = (response: { json(): unknown }) => ({ ...(response.json() as object), timestamp: 0 });

interface Created {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  revokedAt: null;
  key: string;
}

testEachDialect(
  'a client makes, lists and revokes its keys; a key works on Portal Lite until revoked',
  async (t, db) => {
    const { app, a, login } = await setup(t, db);
    const me = await login(a);

    const response = await create(app, me, { name: '矿场 Grafana' });
    t.equal(response.statusCode, 201);
    const created = (response.json() as { data: Created }).data;
    t.same(Object.keys(created).sort(), ['createdAt', 'id', 'key', 'name', 'prefix', 'revokedAt']);
    t.match(created, { name: '矿场 Grafana', revokedAt: null, key: /^hik_/ });
    t.ok(created.key.startsWith(created.prefix), 'the prefix is the start of the key');
    const row = await db
      .selectFrom('api_key')
      .selectAll()
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    t.match(row, {
      role: 'customer',
      customer_id: a.customerId,
      tenant_id: a.tenantId,
      created_by: a.users.customer.id,
    });
    t.notOk(JSON.stringify(row).includes(created.key), 'stored as a digest, never in clear');

    const miners = await portalMiners(app, created.key);
    t.equal(miners.statusCode, 200, 'the key opens Portal Lite');
    t.same(
      (miners.json() as { data: { miners: { minerId: string }[] } }).data.miners.map((m) => m.minerId),
      ['mine'],
      "and shows only its customer's miners",
    );

    const listed = (await list(app, me)).json() as { data: { keys: Record<string, unknown>[] } };
    t.same(listed.data.keys, [
      {
        id: created.id,
        name: created.name,
        prefix: created.prefix,
        createdAt: created.createdAt,
        revokedAt: null,
      },
    ]);
    t.notOk(JSON.stringify(listed).includes(created.key), 'a list never shows the key again');

    const revoked = await revoke(app, me, created.id);
    t.equal(revoked.statusCode, 200);
    const revokedAt = (revoked.json() as { data: { revokedAt: string } }).data.revokedAt;
    t.match(revokedAt, /^\d{4}-/);
    t.equal((await portalMiners(app, created.key)).statusCode, 401, 'the key stops working at once');
    const again = await revoke(app, me, created.id);
    t.equal(again.statusCode, 200, 'revoking again is harmless');
    t.equal(
      (again.json() as { data: { revokedAt: string } }).data.revokedAt,
      revokedAt,
      'the first time stays',
    );
    t.match((await list(app, me)).json(), { data: { keys: [{ id: created.id, revokedAt }] } });
  },
);

testEachDialect('other customers and tenants, staff and keys cannot list, revoke or mint', async (t, db) => {
  const { app, a, a2, b, login } = await setup(t, db);
  const mine = (await create(app, await login(a), { name: 'mine' })).json() as { data: Created };
  const { id, key } = mine.data;
  const missing = '01900000-0000-7000-8000-000000000000';

  for (const [label, other] of [
    ['another customer of the tenant', a2],
    ['another tenant', b],
  ] as const) {
    const headers = await login(other);
    t.match((await list(app, headers)).json(), { data: { keys: [] } }, `${label} sees none`);
    const foreign = await revoke(app, headers, id);
    const unknown = await revoke(app, headers, missing);
    t.equal(foreign.statusCode, 404, `${label} cannot revoke it`);
    t.same(withoutTime(foreign), withoutTime(unknown), `${label}: the same 404 as a key that does not exist`);
    t.match(foreign.json(), { success: false, code: 'API_KEY_NOT_FOUND' });
  }
  t.equal((await portalMiners(app, key)).statusCode, 200, 'the key survived those attempts');

  for (const role of ['owner', 'admin', 'mining_site', 'guest'] as const) {
    const headers = await login(a, role);
    t.equal((await list(app, headers)).statusCode, 403, `${role} may not list`);
    t.equal((await create(app, headers, { name: 'x' })).statusCode, 403, `${role} may not create`);
    t.equal((await revoke(app, headers, id)).statusCode, 403, `${role} may not revoke`);
  }

  // A key must not mint its successors (a leaked key would outlive its revocation) nor revoke its siblings.
  const byKey = { authorization: `ApiKey ${key}` };
  for (const response of [
    await list(app, byKey),
    await create(app, byKey, { name: 'x' }),
    await revoke(app, byKey, id),
  ]) {
    t.equal(response.statusCode, 400);
    t.match(response.json(), { success: false, code: 'AUTH_SESSION_REQUIRED' });
  }
  t.equal((await list(app, {})).statusCode, 401, 'no credentials: 401');
  t.equal(
    Number(
      (
        await db
          .selectFrom('api_key')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ),
    1,
    'nothing was created by anyone else',
  );
});

testEachDialect(
  'at most 20 active keys per customer, even in a burst; revoking frees a place',
  async (t, db) => {
    const { app, a, a2, login } = await setup(t, db);
    const me = await login(a);
    const burst = await Promise.all(
      Array.from({ length: 24 }, (_, i) => create(app, me, { name: `key ${i}` })),
    );
    const codes = burst.map((response) => response.statusCode);
    t.equal(codes.filter((code) => code === 201).length, 20, 'twenty made');
    t.equal(codes.filter((code) => code === 409).length, 4, 'the rest refused');
    t.match(burst.find((response) => response.statusCode === 409)?.json(), {
      success: false,
      code: 'API_KEY_LIMIT',
      error: /20/,
    });

    const made = burst.find((response) => response.statusCode === 201);
    const first = (made?.json() as { data: Created } | undefined)?.data.id ?? '';
    t.equal((await revoke(app, me, first)).statusCode, 200);
    t.equal(
      (await create(app, me, { name: 'replacement' })).statusCode,
      201,
      'a revoked key frees its place',
    );
    t.equal((await create(app, me, { name: 'one too many' })).statusCode, 409);
    t.equal(
      (await create(app, await login(a2), { name: 'theirs' })).statusCode,
      201,
      'the cap is per customer',
    );
    t.equal(((await list(app, me)).json() as { data: { keys: unknown[] } }).data.keys.length, 21);
  },
);

testEachDialect('bad input is a 400 and creates nothing', async (t, db) => {
  const { app, a, login } = await setup(t, db);
  const me = await login(a);
  const bodies: [string, unknown][] = [
    ['no name', {}],
    ['empty name', { name: '' }],
    ['blank name', { name: '   ' }],
    ['name too long', { name: 'x'.repeat(101) }],
    ['control character', { name: 'ring\u0007bell' }],
    ['newline', { name: 'two\nlines' }],
    ['NUL', { name: 'nul\u0000' }],
    ['not a string', { name: 42 }],
    ['extra property', { name: 'ok', role: 'admin' }],
    ['another customer', { name: 'ok', customerId: a.customerId }],
    ['an array', [{ name: 'ok' }]],
  ];
  for (const [label, body] of bodies) {
    const response = await create(app, me, body);
    t.equal(response.statusCode, 400, label);
    t.match(response.json(), { success: false, code: /./ }, `${label}: the error envelope`);
  }
  const notJson = await app.inject({
    method: 'POST',
    url: '/api/portal/keys',
    headers: { ...me, 'content-type': 'application/json' },
    payload: '{"name": ',
  });
  t.equal(notJson.statusCode, 400, 'malformed JSON');
  const huge = await create(app, me, { name: 'x'.repeat(2 * 1024 * 1024) });
  t.ok([400, 413].includes(huge.statusCode), `an oversized body is refused (${huge.statusCode})`);
  t.equal((await revoke(app, me, 'not-a-uuid')).statusCode, 400, 'a malformed id');
  t.equal((await revoke(app, me, '..%2F..%2Fapi-keys')).statusCode, 400, 'a path in the id');
  t.equal(
    ((await list(app, me)).json() as { data: { keys: unknown[] } }).data.keys.length,
    0,
    'nothing made',
  );
  t.equal((await create(app, me, { name: 'x'.repeat(100) })).statusCode, 201, '100 characters are fine');
});

testEachDialect(
  "offboarding a client's user (disabled, or moved to another customer) revokes the keys they made",
  async (t, db) => {
    const { app, a, a2, login } = await setup(t, db);
    const admin = await login(a, 'admin');
    const keyOf = async (headers: Headers) =>
      ((await create(app, headers, { name: 'dashboard' })).json() as { data: Created }).data.key;
    const mine = await keyOf(await login(a));
    const theirs = await keyOf(await login(a2));
    const patchUser = (id: string, payload: Record<string, unknown>) =>
      app.inject({ method: 'PATCH', url: `/api/users/${id}`, headers: admin, payload });

    t.equal((await patchUser(a.users.customer.id, { disabled: true })).statusCode, 200);
    t.equal((await portalMiners(app, mine)).statusCode, 401, "a disabled user's key stops working");
    t.equal((await portalMiners(app, theirs)).statusCode, 200, "another user's key is untouched");

    t.equal((await patchUser(a2.users.customer.id, { customerId: a.customerId })).statusCode, 200);
    t.equal(
      (await portalMiners(app, theirs)).statusCode,
      401,
      "a user moved to another customer no longer reads the old customer's miners through their key",
    );
  },
);
