// Login sessions and API keys through the HTTP API, and the session repository on both dialects.
import t from 'tap';
import { testEachDialect } from '../../test/databases.js';
import { buildTestApp, OWNER_EMAIL, OWNER_PASSWORD } from '../../test/helpers.js';
import { accessToken, bearer, seedTenant, USER_PASSWORD } from '../../test/identities.js';
import { openSession, revokeUserSessions, rotateRefreshToken, sessionPrincipal } from './sessions.js';
import { secretDigest } from './tokens.js';

t.test(
  'login gives an access token and a refresh token; refresh rotates; reuse revokes the family',
  async (t) => {
    const { app, db } = await buildTestApp(t);
    const login = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: OWNER_EMAIL, password: OWNER_PASSWORD },
    });
    t.equal(login.statusCode, 200);
    const first = login.json().data;
    t.match(first, {
      tokenType: 'Bearer',
      expiresIn: 900,
      refreshToken: /^hir_[A-Za-z0-9_-]{43}$/,
      refreshExpiresIn: 14 * 86400,
    });
    const stored = await db.selectFrom('refresh_token').selectAll().execute();
    t.equal(stored.length, 1);
    t.equal(stored[0]?.token_hash, secretDigest(first.refreshToken), 'stored as its digest');
    t.notMatch(JSON.stringify(stored), first.refreshToken, 'never in plaintext');

    const refresh = (refreshToken: string) =>
      app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refreshToken } });
    const second = await refresh(first.refreshToken);
    t.equal(second.statusCode, 200);
    const pair = second.json().data;
    t.not(pair.refreshToken, first.refreshToken, 'a new refresh token');
    const users = (token: string) => app.inject({ method: 'GET', url: '/api/users', headers: bearer(token) });
    t.equal((await users(pair.accessToken)).statusCode, 200, 'the new access token works');

    const reuse = await refresh(first.refreshToken);
    t.equal(reuse.statusCode, 401);
    t.equal(reuse.json().code, 'AUTH_REFRESH_INVALID');
    t.equal((await refresh(pair.refreshToken)).statusCode, 401, 'the reuse revoked the newer token too');
    t.equal((await users(pair.accessToken)).statusCode, 401, 'and the access tokens of that session');
    const session = await db.selectFrom('session').selectAll().executeTakeFirstOrThrow();
    t.equal(session.revoked_reason, 'refresh_token_reuse');

    for (const bad of ['hir_nope', 'x', `hir_${'A'.repeat(43)}`])
      t.equal((await refresh(bad)).statusCode, 401, bad);
  },
);

t.test('logout ends the session; its refresh token no longer works', async (t) => {
  const { app } = await buildTestApp(t);
  const pair = (
    await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: OWNER_EMAIL, password: OWNER_PASSWORD },
    })
  ).json().data;
  const out = await app.inject({
    method: 'POST',
    url: '/api/auth/logout',
    headers: bearer(pair.accessToken),
  });
  t.same(out.json().data, { loggedOut: true });
  const refreshed = await app.inject({
    method: 'POST',
    url: '/api/auth/refresh',
    payload: { refreshToken: pair.refreshToken },
  });
  t.equal(refreshed.statusCode, 401);
});

t.test('password change: needs the current password, then only the new one logs in', async (t) => {
  const { app, db } = await buildTestApp(t);
  const a = await seedTenant(db, 'a');
  const token = await accessToken(app, db, a.users.guest);
  const change = (currentPassword: string) =>
    app.inject({
      method: 'POST',
      url: '/api/auth/password',
      headers: bearer(token),
      payload: { currentPassword, newPassword: 'the next password' },
    });
  const wrong = await change('not it at all');
  t.equal(wrong.statusCode, 400);
  t.equal(wrong.json().code, 'AUTH_WRONG_PASSWORD');
  const changed = await change(USER_PASSWORD);
  t.same(changed.json().data, { revokedSessions: 1 });
  const login = (password: string) =>
    app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: a.users.guest.email, password } });
  t.equal((await login(USER_PASSWORD)).statusCode, 401, 'the old password is gone');
  t.equal((await login('the next password')).statusCode, 200);
  const short = await app.inject({
    method: 'POST',
    url: '/api/auth/password',
    headers: bearer(await accessToken(app, db, a.users.guest)),
    payload: { currentPassword: 'the next password', newPassword: 'short' },
  });
  t.equal(short.statusCode, 400, 'a new password under 8 characters');
});

t.test('a disabled user cannot log in or refresh', async (t) => {
  const { app, db } = await buildTestApp(t);
  const a = await seedTenant(db, 'a');
  const login = () =>
    app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: a.users.admin.email, password: USER_PASSWORD },
    });
  const pair = (await login()).json().data;
  await db.updateTable('user').set({ disabled_at: Date.now() }).where('id', '=', a.users.admin.id).execute();
  const denied = await login();
  t.equal(denied.statusCode, 401);
  t.equal(denied.json().code, 'AUTH_INVALID_CREDENTIALS', 'the same answer as a wrong password');
  const refreshed = await app.inject({
    method: 'POST',
    url: '/api/auth/refresh',
    payload: { refreshToken: pair.refreshToken },
  });
  t.equal(refreshed.statusCode, 401);
});

t.test(
  'API keys: admin creates (shown once), lists without secret, revokes; scoped to the tenant',
  async (t) => {
    const { app, db } = await buildTestApp(t);
    const a = await seedTenant(db, 'a');
    const b = await seedTenant(db, 'b');
    const adminA = bearer(await accessToken(app, db, a.users.admin));
    const adminB = bearer(await accessToken(app, db, b.users.admin));
    const create = (headers: Record<string, string>, payload: object) =>
      app.inject({ method: 'POST', url: '/api/api-keys', headers, payload });

    const made = await create(adminA, { name: 'billing', role: 'customer', customerId: a.customerId });
    t.equal(made.statusCode, 201);
    const key = made.json().data;
    t.match(key, {
      name: 'billing',
      role: 'customer',
      customerId: a.customerId,
      key: /^hik_/,
      revokedAt: null,
    });
    t.equal(key.prefix, key.key.slice(0, 10));
    const row = await db.selectFrom('api_key').selectAll().where('id', '=', key.id).executeTakeFirstOrThrow();
    t.equal(row.key_hash, secretDigest(key.key));
    t.notMatch(JSON.stringify(row), key.key, 'the secret is not stored');

    const list = await app.inject({ method: 'GET', url: '/api/api-keys', headers: adminA });
    t.equal(list.json().data.apiKeys.length, 1);
    t.notMatch(list.body, key.key.slice(10), 'the list never shows the secret');
    t.equal(list.json().data.apiKeys[0].key, undefined);

    const refused: [string, object, number, string][] = [
      ['owner role', { name: 'x', role: 'owner' }, 400, 'VALIDATION_FAILED'],
      ['customer without customer', { name: 'x', role: 'customer' }, 400, 'ROLE_CUSTOMER_REQUIRED'],
      [
        'guest with a customer',
        { name: 'x', role: 'guest', customerId: a.customerId },
        400,
        'ROLE_CUSTOMER_NOT_ALLOWED',
      ],
      [
        "another tenant's customer",
        { name: 'x', role: 'customer', customerId: b.customerId },
        404,
        'CUSTOMER_NOT_FOUND',
      ],
      [
        'a customer that does not exist',
        { name: 'x', role: 'customer', customerId: '00000000-0000-7000-8000-000000000009' },
        404,
        'CUSTOMER_NOT_FOUND',
      ],
    ];
    for (const [name, payload, status, code] of refused) {
      const response = await create(adminA, payload);
      t.equal(response.statusCode, status, name);
      t.equal(response.json().code, code, name);
    }

    // The customer key sees the fleet (its own miners) but no admin function.
    const asKey = { authorization: `ApiKey ${key.key}` };
    t.equal((await app.inject({ method: 'GET', url: '/api/miners', headers: asKey })).statusCode, 200);
    t.equal((await app.inject({ method: 'GET', url: '/api/api-keys', headers: asKey })).statusCode, 403);
    t.equal(
      (await app.inject({ method: 'POST', url: '/api/auth/logout', headers: asKey })).json().code,
      'AUTH_SESSION_REQUIRED',
    );

    for (const method of ['GET', 'DELETE'] as const) {
      const other = await app.inject({ method, url: `/api/api-keys/${key.id}`, headers: adminB });
      const missing = await app.inject({
        method,
        url: '/api/api-keys/00000000-0000-7000-8000-000000000009',
        headers: adminB,
      });
      t.equal(other.statusCode, 404, `${method} of another tenant's key`);
      t.same(
        [other.json().code, other.json().error],
        [missing.json().code, missing.json().error],
        'same as a missing one',
      );
    }
    t.same(
      (await app.inject({ method: 'GET', url: '/api/api-keys', headers: adminB })).json().data.apiKeys,
      [],
    );
    t.equal(
      (await app.inject({ method: 'GET', url: '/api/miners', headers: asKey })).statusCode,
      200,
      'B could not revoke it',
    );

    const revoked = await app.inject({ method: 'DELETE', url: `/api/api-keys/${key.id}`, headers: adminA });
    t.match(revoked.json().data, { id: key.id, revokedAt: String });
    const again = await app.inject({ method: 'DELETE', url: `/api/api-keys/${key.id}`, headers: adminA });
    t.equal(
      again.json().data.revokedAt,
      revoked.json().data.revokedAt,
      'revoking twice keeps the first time',
    );
  },
);

testEachDialect('sessions: rotation, reuse detection and revocation in the database', async (t, db) => {
  const a = await seedTenant(db, 'a', undefined);
  const user = a.users.mining_site;
  const now = 1_800_000_000_000;
  const first = await openSession(db, user, now);
  const claims = { sub: user.id, tid: user.tenantId, sid: first.sessionId };
  t.match(await sessionPrincipal(db, claims, now), {
    userId: user.id,
    role: 'mining_site',
    customerId: null,
  });
  const second = await rotateRefreshToken(db, first.refreshToken, now + 1000);
  t.equal(second.sessionId, first.sessionId, 'the same family');
  await t.rejects(rotateRefreshToken(db, first.refreshToken, now + 2000), { code: 'AUTH_REFRESH_INVALID' });
  await t.rejects(rotateRefreshToken(db, second.refreshToken, now + 3000), { code: 'AUTH_REFRESH_INVALID' });
  await t.rejects(sessionPrincipal(db, claims, now + 3000), { code: 'AUTH_REQUIRED' });

  const third = await openSession(db, user, now);
  await t.rejects(
    rotateRefreshToken(db, third.refreshToken, now + 15 * 86_400_000),
    { code: 'AUTH_REFRESH_INVALID' },
    'expired after 14 days',
  );
  await t.rejects(
    sessionPrincipal(db, { ...claims, sid: third.sessionId }, now + 31 * 86_400_000),
    { code: 'AUTH_REQUIRED' },
    'a session ends after 30 days',
  );
  t.equal(await revokeUserSessions(db, user.id, 'test', now), 1, 'only the open one');
});
