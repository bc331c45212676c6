// Access tokens: every forged, expired, incomplete or revoked token is 401 AUTH_REQUIRED; API keys likewise.
import { createHmac } from 'node:crypto';
import t from 'tap';
import { buildTestApp, JWT_SECRET } from './helpers.js';
import { accessToken, bearer, seedTenant, USER_PASSWORD } from './identities.js';

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Builds a JWT by hand, so tests can forge what @fastify/jwt would refuse to sign. */
function token(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  secret = JWT_SECRET,
): string {
  const body = `${b64url(header)}.${b64url(claims)}`;
  const alg = header.alg === 'HS512' ? 'sha512' : 'sha256';
  return `${body}.${createHmac(alg, secret).update(body).digest('base64url')}`;
}

const HS256 = { alg: 'HS256', typ: 'JWT' };

t.test('every bad token is 401 AUTH_REQUIRED; the same claims correctly signed pass', async (t) => {
  const { app, db } = await buildTestApp(t);
  const a = await seedTenant(db, 'a');
  const b = await seedTenant(db, 'b');
  const admin = a.users.admin;
  const valid = await accessToken(app, db, admin);
  const claims = JSON.parse(Buffer.from(valid.split('.')[1] ?? '', 'base64url').toString()) as Record<
    string,
    unknown
  >;
  const now = Math.floor(Date.now() / 1000);
  const otherSession = JSON.parse(
    Buffer.from((await accessToken(app, db, b.users.admin)).split('.')[1] ?? '', 'base64url').toString(),
  ).sid as string;
  const cases: [string, string | undefined][] = [
    ['no token', undefined],
    ['garbage', 'Bearer not.a.jwt'],
    ['not a bearer', `Basic ${valid}`],
    ['no scheme', valid],
    ['alg none', `Bearer ${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims)}.`],
    ['another secret', `Bearer ${token(HS256, claims, 'another-secret-of-32-characters-at-least')}`],
    ['another algorithm (HS512)', `Bearer ${token({ alg: 'HS512', typ: 'JWT' }, claims)}`],
    ['RS256 header with an HMAC signature', `Bearer ${token({ alg: 'RS256', typ: 'JWT' }, claims)}`],
    ['expired', `Bearer ${token(HS256, { ...claims, iat: now - 1000, exp: now - 100 })}`],
    ['tampered claims', `Bearer ${valid.replace(/\.[^.]+\./, `.${b64url({ ...claims, role: 'owner' })}.`)}`],
    ['no tenant claim', `Bearer ${token(HS256, { ...claims, tid: undefined })}`],
    ['no subject', `Bearer ${token(HS256, { ...claims, sub: undefined })}`],
    [
      'no session claim (a token from before sessions)',
      `Bearer ${token(HS256, { ...claims, sid: undefined })}`,
    ],
    ['unknown role', `Bearer ${token(HS256, { ...claims, role: 'superuser' })}`],
    ['customer without its customer', `Bearer ${token(HS256, { ...claims, role: 'customer' })}`],
    [
      'a session that does not exist',
      `Bearer ${token(HS256, { ...claims, sid: '00000000-0000-7000-8000-00000000dead' })}`,
    ],
    ["another user's session", `Bearer ${token(HS256, { ...claims, sid: otherSession })}`],
    ['another tenant claimed', `Bearer ${token(HS256, { ...claims, tid: b.tenantId })}`],
    ['an API key that does not exist', `ApiKey hik_${'A'.repeat(43)}`],
    ['an API key without its prefix', `ApiKey ${'A'.repeat(47)}`],
  ];
  for (const [name, authorization] of cases) {
    const response = await app.inject({
      method: 'GET',
      url: '/api/users',
      headers: authorization ? { authorization } : {},
    });
    t.equal(response.statusCode, 401, name);
    t.equal(response.json().code, 'AUTH_REQUIRED', name);
  }
  const ok = await app.inject({
    method: 'GET',
    url: '/api/users',
    headers: { authorization: `Bearer ${valid}` },
  });
  t.equal(ok.statusCode, 200, 'the valid token passes');
  const reSigned = await app.inject({
    method: 'GET',
    url: '/api/users',
    headers: bearer(token(HS256, claims)),
  });
  t.equal(
    reSigned.statusCode,
    200,
    'the same claims signed by hand pass too (the forgeries fail for their flaw)',
  );
});

t.test('revocation stops access tokens at the next request', async (t) => {
  const { app, db } = await buildTestApp(t);
  const a = await seedTenant(db, 'a');
  const call = (token: string) => app.inject({ method: 'GET', url: '/api/users', headers: bearer(token) });

  const loggedOut = await accessToken(app, db, a.users.admin);
  const other = await accessToken(app, db, a.users.admin);
  t.equal(
    (await app.inject({ method: 'POST', url: '/api/auth/logout', headers: bearer(loggedOut) })).statusCode,
    200,
  );
  t.equal((await call(loggedOut)).statusCode, 401, 'logout revokes its session');
  t.equal((await call(other)).statusCode, 200, 'but not the other sessions of the user');

  const password = await app.inject({
    method: 'POST',
    url: '/api/auth/password',
    headers: bearer(other),
    payload: { currentPassword: USER_PASSWORD, newPassword: 'a brand new password' },
  });
  t.equal(password.statusCode, 200);
  t.equal((await call(other)).statusCode, 401, 'a password change revokes every session');

  const owner = await accessToken(app, db, a.users.owner);
  const demoted = await accessToken(app, db, a.users.mining_site);
  const disabled = await accessToken(app, db, a.users.guest);
  const fleet = (token: string) => app.inject({ method: 'GET', url: '/api/miners', headers: bearer(token) });
  t.equal((await fleet(demoted)).statusCode, 200);
  const patch = (id: string, payload: object) =>
    app.inject({ method: 'PATCH', url: `/api/users/${id}`, headers: bearer(owner), payload });
  t.equal((await patch(a.users.mining_site.id, { role: 'guest' })).statusCode, 200);
  t.equal(
    (await fleet(demoted)).statusCode,
    403,
    'a demotion applies at once, though the token says mining_site',
  );
  t.equal((await patch(a.users.guest.id, { disabled: true })).statusCode, 200);
  t.equal((await fleet(disabled)).statusCode, 401, 'a disabled user is cut off');
});

t.test('API keys: revoked and unknown keys are 401; an owner key cannot exist', async (t) => {
  const { app, db } = await buildTestApp(t);
  const a = await seedTenant(db, 'a');
  const admin = bearer(await accessToken(app, db, a.users.admin));
  const created = await app.inject({
    method: 'POST',
    url: '/api/api-keys',
    headers: admin,
    payload: { name: 'exporter', role: 'mining_site' },
  });
  t.equal(created.statusCode, 201);
  const { id, key } = created.json().data as { id: string; key: string };
  const asKey = (authorization: string) =>
    app.inject({ method: 'GET', url: '/api/miners', headers: { authorization } });
  t.equal((await asKey(`ApiKey ${key}`)).statusCode, 200, 'ApiKey scheme');
  t.equal((await asKey(`Bearer ${key}`)).statusCode, 200, 'or as a bearer token');
  t.equal((await asKey(`ApiKey ${key.slice(0, -1)}x`)).statusCode, 401, 'one character off');
  t.equal(
    (await app.inject({ method: 'DELETE', url: `/api/api-keys/${id}`, headers: admin })).statusCode,
    200,
  );
  t.equal((await asKey(`ApiKey ${key}`)).statusCode, 401, 'revoked');
  // Planted directly: even a row that claims owner is refused.
  await db.updateTable('api_key').set({ role: 'owner', revoked_at: null }).where('id', '=', id).execute();
  t.equal((await asKey(`ApiKey ${key}`)).statusCode, 401, 'an owner key is never honoured');
});
