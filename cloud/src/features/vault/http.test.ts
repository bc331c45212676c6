import { sql } from 'kysely';
import type { Test } from 'tap';
import type { Db } from '../../db/index.js';
import { testEachDialect } from '../../test/databases.js';
import { buildAppOver, insertAgent, insertMiner } from '../../test/fleet.js';
import { accessToken, bearer, seedTenant } from '../../test/identities.js';

// The write-only credentials API: what goes in never comes out, each tenant sees and changes only its own, and
// hostile input is refused with an envelope.

const SECRET = 'HI-TEST-SECRET-7f3a9c';

async function world(t: Test, db: Db) {
  const app = await buildAppOver(t, db);
  const a = await seedTenant(db, 'A');
  const b = await seedTenant(db, 'B');
  await insertAgent(db, { id: 'agent-a', tenantId: a.tenantId, siteId: a.siteId });
  await insertAgent(db, { id: 'agent-b', tenantId: b.tenantId, siteId: b.siteId });
  await insertMiner(db, { agentId: 'agent-a', id: 'm1', tenantId: a.tenantId, siteId: a.siteId });
  await insertMiner(db, { agentId: 'agent-b', id: 'm1', tenantId: b.tenantId, siteId: b.siteId });
  const tokens = {
    adminA: bearer(await accessToken(app, db, a.users.admin)),
    siteA: bearer(await accessToken(app, db, a.users.mining_site)),
    customerA: bearer(await accessToken(app, db, a.users.customer)),
    adminB: bearer(await accessToken(app, db, b.users.admin)),
  };
  const put = (headers: Record<string, string>, payload: unknown) =>
    app.inject({ method: 'PUT', url: '/api/credentials', headers, payload: payload as object });
  return { app, a, b, tokens, put };
}

const minerBody = (password = SECRET) => ({
  scope: { kind: 'miner', agentId: 'agent-a', minerId: 'm1' },
  purpose: 'web',
  username: 'root',
  password,
});

testEachDialect('PUT stores, GET lists metadata only, DELETE removes; never a secret out', async (t, db) => {
  const w = await world(t, db);
  const created = await w.put(w.tokens.adminA, minerBody());
  t.equal(created.statusCode, 200, created.body);
  const { id, version } = created.json().data;
  t.equal(version, 1);
  t.notMatch(created.body, SECRET);
  t.notMatch(created.body, 'root', 'not even the username');

  const list = await w.app.inject({ method: 'GET', url: '/api/credentials', headers: w.tokens.siteA });
  t.equal(list.statusCode, 200);
  t.same(list.json().data.credentials, [
    {
      id,
      scope: { kind: 'miner', agentId: 'agent-a', minerId: 'm1' },
      purpose: 'web',
      version: 1,
      pendingVersion: null,
      updatedAt: list.json().data.credentials[0].updatedAt,
    },
  ]);
  t.notMatch(list.body, SECRET);
  t.notMatch(list.body, /username|password|root/);

  const status = await w.app.inject({ method: 'GET', url: '/api/vault/status', headers: w.tokens.adminA });
  t.equal(status.statusCode, 200);
  t.match(status.json().data, { masterKeyVersion: 1, credentials: 1, dataKeys: [{ version: 1 }] });

  const removed = await w.app.inject({
    method: 'DELETE',
    url: `/api/credentials/${id}`,
    headers: w.tokens.adminA,
  });
  t.equal(removed.statusCode, 200);
  t.equal((await sql`select * from credential_version`.execute(db)).rows.length, 0, 'its versions go too');
  const again = await w.app.inject({
    method: 'DELETE',
    url: `/api/credentials/${id}`,
    headers: w.tokens.adminA,
  });
  t.equal(again.statusCode, 404);
  t.equal(again.json().code, 'VAULT_CREDENTIAL_NOT_FOUND');
});

testEachDialect('tenant isolation on every vault route', async (t, db) => {
  const w = await world(t, db);
  const { id } = (await w.put(w.tokens.adminA, minerBody())).json().data;

  const listB = await w.app.inject({ method: 'GET', url: '/api/credentials', headers: w.tokens.adminB });
  t.same(listB.json().data.credentials, [], "B lists none of A's");
  const deleteB = await w.app.inject({
    method: 'DELETE',
    url: `/api/credentials/${id}`,
    headers: w.tokens.adminB,
  });
  t.equal(deleteB.statusCode, 404, "B cannot delete A's");
  t.equal((await sql`select * from credential`.execute(db)).rows.length, 1, 'still there');

  const foreignMiner = await w.put(w.tokens.adminB, minerBody());
  t.equal(foreignMiner.statusCode, 404, "B cannot write a login for A's miner");
  t.equal(foreignMiner.json().code, 'VAULT_SCOPE_NOT_FOUND');
  const foreignSite = await w.put(w.tokens.adminB, {
    scope: { kind: 'site', siteId: w.a.siteId },
    purpose: 'api',
    username: 'admin',
    password: 'x',
  });
  t.equal(foreignSite.statusCode, 404, "B cannot write A's site default");

  const statusB = await w.app.inject({ method: 'GET', url: '/api/vault/status', headers: w.tokens.adminB });
  t.equal(statusB.json().data.credentials, 0, "B's status counts only B's");
  const rotateB = await w.app.inject({
    method: 'POST',
    url: '/api/vault/rotate',
    headers: w.tokens.adminB,
    payload: {},
  });
  t.equal(rotateB.statusCode, 200);
  const keysA = await sql<{ version: number }>`select version from vault_data_key
    where tenant_id = ${w.a.tenantId} and kind = 'data'`.execute(db);
  t.same(
    keysA.rows.map((r) => Number(r.version)),
    [1],
    "B's rotation leaves A's keys alone",
  );
});

testEachDialect(
  'roles: hosting staff read metadata, only admins write; customers get nothing',
  async (t, db) => {
    const w = await world(t, db);
    t.equal((await w.put(w.tokens.siteA, minerBody())).statusCode, 403, 'mining_site cannot write');
    t.equal((await w.put(w.tokens.customerA, minerBody())).statusCode, 403);
    const customerList = await w.app.inject({
      method: 'GET',
      url: '/api/credentials',
      headers: w.tokens.customerA,
    });
    t.equal(customerList.statusCode, 403);
    for (const [method, url] of [
      ['GET', '/api/vault/status'],
      ['POST', '/api/vault/rotate'],
    ] as const) {
      const response = await w.app.inject({
        method,
        url,
        headers: w.tokens.siteA,
        ...(method === 'POST' ? { payload: {} } : {}),
      });
      t.equal(response.statusCode, 403, `${method} ${url} is admin only`);
    }
    t.equal((await w.app.inject({ method: 'GET', url: '/api/credentials' })).statusCode, 401);
  },
);

testEachDialect('bad, oversized and hostile input is refused and never echoed', async (t, db) => {
  const w = await world(t, db);
  const cases: [string, unknown, number][] = [
    ['empty password', minerBody(''), 400],
    ['a 10 KB password', minerBody('x'.repeat(10 * 1024)), 400],
    ['a NUL in the password', minerBody(`pa\u0000ss-${SECRET}`), 400],
    ['CR LF in the password', minerBody(`pa\r\nss-${SECRET}`), 400],
    ['a lone surrogate (not UTF-8 text)', minerBody(`\ud800-${SECRET}`), 400],
    ['an unknown scope kind', { ...minerBody(), scope: { kind: 'rack', rackId: 'r1' } }, 400],
    ['a pool scope over HTTP', { ...minerBody(), scope: { kind: 'pool' }, purpose: 'pool' }, 400],
    ['an extra field', { ...minerBody(), plaintext: true }, 400],
    ['a number as password', { ...minerBody(), password: 12345678 }, 400],
    ['no username', { scope: minerBody().scope, purpose: 'web', password: SECRET }, 400],
    [
      'an unknown miner',
      { ...minerBody(), scope: { kind: 'miner', agentId: 'agent-a', minerId: 'nope' } },
      404,
    ],
    ['a 10 KB model name', { ...minerBody(), scope: { kind: 'model', model: 'm'.repeat(10_000) } }, 400],
  ];
  for (const [what, payload, status] of cases) {
    const response = await w.put(w.tokens.adminA, payload);
    t.equal(response.statusCode, status, what);
    t.equal(response.json().success, false, `${what}: an envelope`);
    t.match(response.json().code, /^[A-Z]+_[A-Z_]+$/, `${what}: an AREA_REASON code`);
    t.notMatch(response.body, SECRET, `${what}: the secret is not echoed`);
  }
  const raw = await w.app.inject({
    method: 'PUT',
    url: '/api/credentials',
    headers: { ...w.tokens.adminA, 'content-type': 'application/json' },
    payload: Buffer.concat([
      Buffer.from(
        '{"scope":{"kind":"miner","agentId":"agent-a","minerId":"m1"},"purpose":"web","username":"root","password":"',
      ),
      Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from('"}'),
    ]),
  });
  t.equal(raw.statusCode, 400, 'invalid UTF-8 bytes');
  t.equal(raw.json().code, 'VAULT_LOGIN_INVALID');
  t.equal((await sql`select * from credential`.execute(db)).rows.length, 0, 'nothing stored');

  const emoji = await w.put(w.tokens.adminA, minerBody('🔐密码-pässwörd'));
  t.equal(emoji.statusCode, 200, 'emoji and non-ASCII passwords are fine');
  const { credentialId, version } = {
    credentialId: emoji.json().data.id,
    version: emoji.json().data.version,
  };
  const vault = w.app.vault as unknown as {
    openWith: (db: unknown, tenantId: string, ref: unknown) => Promise<{ login: { password: string } }>;
    db: unknown;
  };
  const opened = await vault.openWith(vault.db, w.a.tenantId, { credentialId, version });
  t.equal(opened.login.password, '🔐密码-pässwörd', 'stored exactly');
});
