// Users of a tenant: admin functions, owner protection, customer binding, disabling, tenant isolation.
import t, { type Test } from 'tap';
import { buildTestApp } from '../../test/helpers.js';
import { accessToken, bearer, seedTenant } from '../../test/identities.js';

const MISSING = '00000000-0000-7000-8000-000000000009';

async function setup(t: Test) {
  const { app, db } = await buildTestApp(t);
  const a = await seedTenant(db, 'a');
  const b = await seedTenant(db, 'b');
  return {
    app,
    db,
    a,
    b,
    ownerA: bearer(await accessToken(app, db, a.users.owner)),
    adminA: bearer(await accessToken(app, db, a.users.admin)),
    adminB: bearer(await accessToken(app, db, b.users.admin)),
  };
}

t.test('admin lists, creates and reads users of its tenant only', async (t) => {
  const { app, a, adminA } = await setup(t);
  const created = await app.inject({
    method: 'POST',
    url: '/api/users',
    headers: adminA,
    payload: { email: 'New.Client@Example.com', role: 'customer', customerId: a.customerId },
  });
  t.equal(created.statusCode, 201);
  const user = created.json().data;
  t.match(user, {
    email: 'new.client@example.com',
    role: 'customer',
    customerId: a.customerId,
    disabled: false,
  });
  t.match(user.generatedPassword, /^[A-Za-z0-9_-]{24}$/, 'a generated password, shown once');
  const read = await app.inject({ method: 'GET', url: `/api/users/${user.id}`, headers: adminA });
  t.equal(read.json().data.generatedPassword, undefined, 'and never again');
  const login = await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { email: 'new.client@example.com', password: user.generatedPassword },
  });
  t.equal(login.statusCode, 200, 'the generated password works');

  const page1 = await app.inject({ method: 'GET', url: '/api/users?limit=4', headers: adminA });
  const { users, nextCursor } = page1.json().data;
  t.equal(users.length, 4);
  const page2 = await app.inject({
    method: 'GET',
    url: `/api/users?limit=4&cursor=${nextCursor}`,
    headers: adminA,
  });
  const rest = page2.json().data;
  t.equal(rest.users.length, 2, '5 seeded + 1 created (plus no user of tenant B)');
  t.equal(rest.nextCursor, null);
  const emails = [...users, ...rest.users].map((u: { email: string }) => u.email);
  t.notOk(
    emails.some((e: string) => e.endsWith('.b@example.com')),
    'no user of tenant B',
  );

  const taken = await app.inject({
    method: 'POST',
    url: '/api/users',
    headers: adminA,
    payload: { email: 'guest.b@example.com', role: 'guest', password: 'long enough password' },
  });
  t.equal(taken.statusCode, 409);
  t.equal(taken.json().code, 'USER_EMAIL_TAKEN');
});

t.test('the owner cannot be created, demoted or disabled by an admin', async (t) => {
  const { app, a, adminA, ownerA } = await setup(t);
  const owner = a.users.owner.id;
  const create = await app.inject({
    method: 'POST',
    url: '/api/users',
    headers: adminA,
    payload: { email: 'second.owner@example.com', role: 'owner' },
  });
  t.equal(create.statusCode, 400, 'owner is not a role the API gives');
  for (const payload of [{ role: 'guest' }, { disabled: true }]) {
    const response = await app.inject({
      method: 'PATCH',
      url: `/api/users/${owner}`,
      headers: adminA,
      payload,
    });
    t.equal(response.statusCode, 403, JSON.stringify(payload));
    t.equal(response.json().code, 'USER_OWNER_PROTECTED');
  }
  const self = await app.inject({
    method: 'PATCH',
    url: `/api/users/${owner}`,
    headers: ownerA,
    payload: { role: 'admin' },
  });
  t.equal(self.statusCode, 403, 'not even by an owner');
  const selfDisable = await app.inject({
    method: 'PATCH',
    url: `/api/users/${a.users.admin.id}`,
    headers: adminA,
    payload: { disabled: true },
  });
  t.equal(selfDisable.json().code, 'USER_SELF_LOCKOUT');
});

t.test(
  'role and customer changes are checked; disabling cuts sessions; enabling restores login',
  async (t) => {
    const { app, a, b, adminA } = await setup(t);
    const target = a.users.guest.id;
    const patch = (payload: object) =>
      app.inject({ method: 'PATCH', url: `/api/users/${target}`, headers: adminA, payload });
    t.equal((await patch({ role: 'customer' })).json().code, 'ROLE_CUSTOMER_REQUIRED');
    t.equal((await patch({ role: 'customer', customerId: b.customerId })).json().code, 'CUSTOMER_NOT_FOUND');
    t.equal((await patch({ role: 'customer', customerId: MISSING })).json().code, 'CUSTOMER_NOT_FOUND');
    t.match((await patch({ role: 'customer', customerId: a.customerId })).json().data, {
      role: 'customer',
      customerId: a.customerId,
    });
    t.match(
      (await patch({ role: 'mining_site' })).json().data,
      { role: 'mining_site', customerId: null },
      'customer dropped',
    );
    t.equal((await patch({ customerId: a.customerId })).json().code, 'ROLE_CUSTOMER_NOT_ALLOWED');
    t.equal((await patch({})).statusCode, 400, 'an empty change');
    t.match((await patch({ disabled: true })).json().data, { disabled: true });
    t.match((await patch({ disabled: false })).json().data, { disabled: false });
  },
);

t.test(
  "tenant isolation: another tenant's user by id in the path is the same 404 as a missing one",
  async (t) => {
    const { app, a, adminB } = await setup(t);
    for (const [method, payload] of [
      ['GET', undefined],
      ['PATCH', { role: 'guest' }],
      ['PATCH', { disabled: true }],
    ] as const) {
      const other = await app.inject({
        method,
        url: `/api/users/${a.users.admin.id}`,
        headers: adminB,
        payload,
      });
      const missing = await app.inject({ method, url: `/api/users/${MISSING}`, headers: adminB, payload });
      t.equal(other.statusCode, 404);
      t.same([other.json().code, other.json().error], [missing.json().code, missing.json().error]);
      t.equal(missing.json().code, 'USER_NOT_FOUND');
    }
    const check = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: a.users.admin.email, password: 'a user password of decent length' },
    });
    t.equal(check.statusCode, 200, 'B did not disable A');
    const cursor = await app.inject({
      method: 'GET',
      url: `/api/users?cursor=${a.users.owner.id}`,
      headers: adminB,
    });
    t.notOk(
      cursor.json().data.users.some((u: { id: string }) => u.id === a.users.admin.id),
      'a cursor from A shows no A user',
    );
  },
);

t.test('bad input: wrong types, extra fields, oversized, deep JSON, prototype keys', async (t) => {
  const { app, a, adminA } = await setup(t);
  const deep = `${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}`;
  const cases: [string, string, string | object][] = [
    ['POST', '/api/users', { email: { x: 1 }, role: 'guest' }],
    ['POST', '/api/users', { email: 'x@example.com', role: 'guest', isOwner: true }],
    ['POST', '/api/users', { email: 'x@example.com', role: 'guest', password: 'x'.repeat(2000) }],
    ['POST', '/api/users', { email: 'x@example.com', role: 'guest', customerId: 'not-a-uuid' }],
    ['POST', '/api/users', `{"email":"x@example.com","role":"guest","extra":${deep}}`],
    ['POST', '/api/users', '{"email":"x@example.com","role":"guest","__proto__":{"role":"owner"}}'],
    [
      'POST',
      '/api/users',
      '{"email":"x@example.com","role":"guest","constructor":{"prototype":{"role":"owner"}}}',
    ],
    ['PATCH', `/api/users/${a.users.guest.id}`, { role: { admin: true } }],
    ['PATCH', `/api/users/${a.users.guest.id}`, { disabled: 'yes' }],
    ['PATCH', `/api/users/${a.users.guest.id}`, '{"__proto__":{"disabled":true}}'],
    ['PATCH', '/api/users/not-a-uuid', { disabled: true }],
    ['GET', '/api/users?limit=0', ''],
    ['GET', '/api/users?limit=abc', ''],
    ['GET', '/api/users?cursor=1&evil=1', ''],
    ['POST', '/api/api-keys', { name: '', role: 'guest' }],
    ['POST', '/api/api-keys', { name: 'x'.repeat(101), role: 'guest' }],
    ['POST', '/api/api-keys', '{"name":"k","role":"guest","__proto__":{"role":"admin"}}'],
    ['POST', '/api/auth/refresh', { refreshToken: ['a', 'b'] }],
    ['POST', '/api/auth/refresh', { refreshToken: 'x'.repeat(201) }],
    ['POST', '/api/auth/password', { currentPassword: 'x', newPassword: 'long enough', also: 1 }],
    ['GET', '/api/audit?cursor=-1', ''],
    ['GET', '/api/audit/abc', ''],
  ];
  for (const [method, url, payload] of cases) {
    const response = await app.inject({
      method: method as 'GET',
      url,
      headers: { ...adminA, 'content-type': 'application/json' },
      ...(payload === '' ? {} : { payload: typeof payload === 'string' ? payload : JSON.stringify(payload) }),
    });
    t.equal(
      response.statusCode,
      400,
      `${method} ${url} ${String(typeof payload === 'string' ? payload : JSON.stringify(payload)).slice(0, 60)}`,
    );
    t.match(response.json(), { success: false, code: /^[A-Z]+_[A-Z_]+$/ });
  }
  const big = await app.inject({
    method: 'POST',
    url: '/api/users',
    headers: adminA,
    payload: { email: 'x@example.com', role: 'guest', password: 'x'.repeat(70_000) },
  });
  t.equal(big.statusCode, 413, 'oversized body');
  t.equal(({} as Record<string, unknown>).role, undefined, 'no prototype was polluted');
  const users = await app.inject({ method: 'GET', url: '/api/users?limit=200', headers: adminA });
  t.equal(users.json().data.users.length, 5, 'nothing was created by any of them');
});
