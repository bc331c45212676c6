import t from 'tap';
import { createPlatform } from '../platform/index.js';
import { redisService, redisTestPrefix } from '../platform/test/redis.js';
import { buildTestApp, captureLogs, OWNER_EMAIL, OWNER_PASSWORD } from '../test/helpers.js';

const login = (email: string, password = 'wrong password', remoteAddress = '127.0.0.1') => ({
  method: 'POST' as const,
  url: '/api/auth/login',
  remoteAddress,
  payload: { email, password },
});

t.test(
  'login is limited per (IP, email): the 11th attempt in a minute gets 429 with Retry-After',
  async (t) => {
    const { app } = await buildTestApp(t);
    for (let i = 0; i < 10; i += 1) {
      t.equal((await app.inject(login(OWNER_EMAIL))).statusCode, 401);
    }
    const limited = await app.inject(login(OWNER_EMAIL, OWNER_PASSWORD)); // even the right password now waits
    t.equal(limited.statusCode, 429);
    t.match(limited.json(), { success: false, code: 'RATE_LIMITED', error: /^Too many requests/ });
    t.ok(Number(limited.headers['retry-after']) > 0 && Number(limited.headers['retry-after']) <= 60);
    t.equal((await app.inject(login('someone@example.com'))).statusCode, 401, 'another email is not limited');
    t.equal(
      (await app.inject(login(OWNER_EMAIL.toUpperCase(), 'x', '127.0.0.1'))).statusCode,
      429,
      'the email is compared as stored (lower case)',
    );
    t.equal(
      (await app.inject(login(OWNER_EMAIL, OWNER_PASSWORD, '127.0.0.2'))).statusCode,
      200,
      'another IP',
    );
  },
);

t.test('the API is limited per principal; probes are never limited', async (t) => {
  const { app } = await buildTestApp(t, { rateLimits: { apiPerMinute: 3 } });
  const { accessToken } = (await app.inject(login(OWNER_EMAIL, OWNER_PASSWORD))).json().data;
  const get = (remoteAddress: string) =>
    app.inject({
      method: 'GET',
      url: '/api/miners',
      remoteAddress,
      headers: { authorization: `Bearer ${accessToken}` },
    });
  t.equal((await get('127.0.0.1')).statusCode, 200);
  t.equal((await get('127.0.0.2')).statusCode, 200);
  t.equal((await get('127.0.0.3')).statusCode, 200);
  const limited = await get('127.0.0.4'); // a new IP does not reset the user's budget
  t.equal(limited.statusCode, 429);
  t.equal(limited.json().code, 'RATE_LIMITED');
  for (let i = 0; i < 5; i += 1)
    t.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
});

t.test('with Redis, instances share the login counters', { skip: redisService.skip }, async (t) => {
  const prefix = redisTestPrefix(t);
  const { logger } = captureLogs();
  const apps = [];
  for (let i = 0; i < 2; i += 1) {
    const built = await buildTestApp(t);
    const platform = await createPlatform({
      db: built.db,
      logger,
      redisUrl: redisService.url,
      redisPrefix: prefix,
    });
    t.teardown(() => platform.close());
    apps.push((await buildTestApp(t, { platform })).app);
  }
  const [a, b] = apps as [(typeof apps)[0], (typeof apps)[0]];
  for (let i = 0; i < 5; i += 1) t.equal((await a.inject(login(OWNER_EMAIL))).statusCode, 401);
  for (let i = 0; i < 5; i += 1) t.equal((await b.inject(login(OWNER_EMAIL))).statusCode, 401);
  t.equal((await a.inject(login(OWNER_EMAIL))).statusCode, 429, 'ten across both instances');
  t.equal((await b.inject(login(OWNER_EMAIL))).statusCode, 429);
});
