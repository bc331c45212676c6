// The HTTP surface through app.inject: the envelope on success and on every error kind, login (JWT checks: test/jwt.test.ts).
import t, { type Test } from 'tap';
import { buildTestApp, OWNER_EMAIL, OWNER_PASSWORD } from './helpers.js';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function expectError(
  t: Test,
  response: { statusCode: number; json(): unknown },
  status: number,
  code: string,
) {
  t.equal(response.statusCode, status, `HTTP ${status}`);
  const body = response.json() as Record<string, unknown>;
  t.match(body, { success: false, code, error: String, timestamp: ISO }, code);
  t.same(Object.keys(body).sort(), ['code', 'error', 'success', 'timestamp'], 'nothing else in the envelope');
}

t.test('success envelope: GET /healthz', async (t) => {
  const { app } = await buildTestApp(t);
  const response = await app.inject({ method: 'GET', url: '/healthz' });
  t.equal(response.statusCode, 200);
  t.match(response.json(), { success: true, data: { status: 'ok', db: 'ok', broker: 'ok' }, timestamp: ISO });
});

t.test('error envelopes', async (t) => {
  const { app, logs } = await buildTestApp(t);
  app.get('/boom', { config: { access: 'public' } }, async () => {
    throw new Error('secret internals: db password hunter2');
  });
  const login = (payload: string, contentType = 'application/json') =>
    app.inject({ method: 'POST', url: '/api/auth/login', payload, headers: { 'content-type': contentType } });

  expectError(t, await app.inject({ method: 'GET', url: '/nope?x=1' }), 404, 'ROUTE_NOT_FOUND');
  expectError(t, await login('{"email":'), 400, 'REQUEST_MALFORMED_JSON');
  expectError(t, await login(''), 400, 'REQUEST_MALFORMED_JSON');
  expectError(t, await login('email=a&password=b', 'text/plain'), 415, 'UNSUPPORTED_MEDIA_TYPE');
  expectError(
    t,
    await login(JSON.stringify({ email: OWNER_EMAIL, password: 'x'.repeat(100 * 1024) })),
    413,
    'REQUEST_TOO_LARGE',
  );

  const boom = await app.inject({ method: 'GET', url: '/boom' });
  expectError(t, boom, 500, 'INTERNAL_ERROR');
  t.notMatch(boom.body, /hunter2|internals/, 'a 5xx hides the details');
  t.match(logs.text(), /secret internals/, 'which stay in the log');
});

t.test('login validation: VALIDATION_FAILED with a readable message', async (t) => {
  const { app } = await buildTestApp(t);
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['missing password', { email: OWNER_EMAIL }, /password/],
    ['extra field', { email: OWNER_EMAIL, password: 'x', admin: true }, /additional properties/],
    ['email not an email', { email: 'nope', password: 'x' }, /email/],
    ['10 KB email', { email: `${'a'.repeat(10 * 1024)}@example.com`, password: 'x' }, /email/],
    ['empty password', { email: OWNER_EMAIL, password: '' }, /password/],
    ['password too long', { email: OWNER_EMAIL, password: 'x'.repeat(1025) }, /password/],
    // A JSON body is never coerced: these would pass as the strings "12345678" and "x" otherwise.
    ['password a number', { email: OWNER_EMAIL, password: 12_345_678 }, /password/],
    ['password an array', { email: OWNER_EMAIL, password: ['correct horse'] }, /password/],
  ];
  for (const [name, payload, message] of cases) {
    const response = await app.inject({ method: 'POST', url: '/api/auth/login', payload });
    expectError(t, response, 400, 'VALIDATION_FAILED');
    t.match(response.json(), { error: message }, name);
  }
});

t.test('login issues a 15-minute HS256 bearer token', async (t) => {
  const { app } = await buildTestApp(t);
  const response = await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { email: OWNER_EMAIL.toUpperCase(), password: OWNER_PASSWORD },
  });
  t.equal(response.statusCode, 200);
  const body = response.json();
  t.match(body, { success: true, data: { tokenType: 'Bearer', expiresIn: 900 }, timestamp: ISO });
  const [header, claims] = (body.data.accessToken as string)
    .split('.')
    .slice(0, 2)
    .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
  t.match(header, { alg: 'HS256' });
  t.match(claims, { sub: /^[0-9a-f-]{36}$/, role: 'owner' });
  t.equal(claims.exp - claims.iat, 900);

  const miners = await app.inject({
    method: 'GET',
    url: '/api/miners',
    headers: { authorization: `Bearer ${body.data.accessToken}` },
  });
  t.equal(miners.statusCode, 200);
  t.same(miners.json().data, { miners: [], nextCursor: null });
});

t.test('a wrong password and an unknown email get the same 401', async (t) => {
  const { app } = await buildTestApp(t);
  for (const payload of [
    { email: OWNER_EMAIL, password: 'wrong password' },
    { email: 'nobody@example.com', password: OWNER_PASSWORD },
  ]) {
    const response = await app.inject({ method: 'POST', url: '/api/auth/login', payload });
    expectError(t, response, 401, 'AUTH_INVALID_CREDENTIALS');
    t.equal(response.json().error, 'Email or password is incorrect');
  }
});

t.test('request logs carry no credentials', async (t) => {
  const { app, logs } = await buildTestApp(t);
  const login = await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { email: OWNER_EMAIL, password: OWNER_PASSWORD },
  });
  const accessToken = login.json().data.accessToken as string;
  await app.inject({
    method: 'GET',
    url: '/api/miners',
    headers: { authorization: `Bearer ${accessToken}` },
  });
  await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { email: OWNER_EMAIL, password: 'a-wrong-password-123' },
  });
  const text = logs.text();
  t.match(text, /incoming request/, 'requests were logged');
  t.match(text, /\/api\/auth\/login/);
  t.notMatch(text, OWNER_PASSWORD);
  t.notMatch(text, 'a-wrong-password-123');
  t.notMatch(text, accessToken);
  t.notMatch(text, accessToken.split('.')[2] ?? '!', 'not even the signature');

  logs.logger.info({
    password: 'p1',
    user: { password: 'p2' },
    req: { headers: { authorization: 'Bearer t', 'x-api-key': 'hik_k1' } },
    body: { currentPassword: 'p3', newPassword: 'p4', refreshToken: 'r1', apiKey: 'hik_k2' },
    config: { databaseUrl: 'postgres://u:dbpw@h/db', redisUrl: 'redis://:rpw@h', mqttUrl: 'mqtt://c:mpw@h' },
  });
  t.notMatch(
    logs.text(),
    /"p1"|"p2"|"p3"|"p4"|Bearer t|hik_k1|hik_k2|"r1"|dbpw|rpw|mpw/,
    'redact covers secret-bearing paths',
  );
});
