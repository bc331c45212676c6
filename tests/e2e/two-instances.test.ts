// Two cloud instances on one PostgreSQL and one Redis serve the same fleet: what one writes, the other reads;
// a session from one works on the other; login rate limits count across both; both report ready with Redis as
// their cache. Skips without DATABASE_URL and REDIS_URL. (MQTT_URL, the external broker both would share, is
// not exercised here yet: each instance runs its embedded broker.)
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { loadCloudConfig, type RunningCloud, startCloud } from '@hashinsight/cloud';
import { serviceUrl, tempDir } from '@hashinsight/testkit';
import pg from 'pg';
import pino from 'pino';
import t, { type Test } from 'tap';

const database = serviceUrl('DATABASE_URL');
const redis = serviceUrl('REDIS_URL');
const skip = database.skip || redis.skip;
const EMAIL = 'owner@two.test';
const PASSWORD = 'correct horse battery staple';

interface Envelope<T> {
  success: boolean;
  data: T;
  code?: string;
}

async function call<T>(
  cloud: RunningCloud,
  method: string,
  path: string,
  { token, body }: { token?: string; body?: unknown } = {},
): Promise<{ status: number; body: Envelope<T>; headers: Headers }> {
  const response = await fetch(`${cloud.httpUrl}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Envelope<T>, headers: response.headers };
}

/** A PostgreSQL schema of this run, as a DATABASE_URL every connection of both instances uses. */
async function schemaUrl(t: Test, url: string): Promise<{ url: string; client: pg.Client }> {
  const schema = `e2e_${randomBytes(5).toString('hex')}`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`create schema ${schema}`);
  await client.query(`set search_path = ${schema}`);
  t.teardown(async () => {
    await client.query(`drop schema ${schema} cascade`);
    await client.end();
  });
  const scoped = new URL(url);
  scoped.searchParams.set('options', `-c search_path=${schema}`);
  return { url: scoped.toString(), client };
}

async function startInstance(t: Test, name: string, databaseUrl: string, redisPrefix: string) {
  const cloud = await startCloud(
    loadCloudConfig(
      {},
      {
        httpPort: 0,
        mqttPort: 0,
        dataDir: join(tempDir(t), name),
        bootstrapEmail: EMAIL,
        bootstrapPassword: PASSWORD,
        // Shared, as behind a load balancer: a token from one instance is valid on the other.
        jwtSecret: 'two-instances-share-this-secret-of-32+chars',
        logLevel: 'silent',
        databaseUrl,
        redisUrl: redis.url,
        redisPrefix,
      },
    ),
    { logger: pino({ level: 'silent' }) },
  );
  t.teardown(() => cloud.close());
  return cloud;
}

t.test('two instances on one PostgreSQL and one Redis serve the same fleet', { skip }, async (t) => {
  const { url, client } = await schemaUrl(t, database.url as string);
  const prefix = `test:${randomBytes(5).toString('hex')}:`;
  // One after the other: the first migrates and creates the owner; the second finds both done.
  const a = await startInstance(t, 'a', url, prefix);
  const b = await startInstance(t, 'b', url, prefix);

  for (const cloud of [a, b]) {
    const ready = await call<{ cache: string }>(cloud, 'GET', '/readyz');
    t.equal(ready.status, 200, 'ready, with Redis as its cache');
  }

  const login = await call<{ accessToken: string }>(a, 'POST', '/api/auth/login', {
    body: { email: EMAIL, password: PASSWORD },
  });
  t.equal(login.status, 200);
  const token = login.body.data.accessToken;

  // A fleet as the ingest leaves it: one agent of the default site with two miners and their latest samples.
  const site = await client.query<{ id: string; tenant_id: string }>(
    'select id, tenant_id from site limit 1',
  );
  const { id: siteId, tenant_id: tenantId } = site.rows[0] as { id: string; tenant_id: string };
  await client.query(
    `insert into agent (id, epoch, online, hostname, agent_version, last_seen_at, created_at, tenant_id, site_id)
     values ('agent-1', 1, 1, 'edge-1', '0.1.0', 1, 1, $1, $2)`,
    [tenantId, siteId],
  );
  for (const [minerId, ip] of [
    ['m1', '10.0.0.1'],
    ['m2', '10.0.0.2'],
  ]) {
    await client.query(
      `insert into miner (agent_id, id, ip, mac, serial, vendor, model, firmware, hostname, first_seen_at,
         last_seen_at, tenant_id, site_id) values ('agent-1', $1, $2, '', '', 'bitmain', 'Antminer S19', '', '',
         1, 1, $3, $4)`,
      [minerId, ip, tenantId, siteId],
    );
    await client.query(
      `insert into miner_latest (agent_id, miner_id, time_ms, status, hashrate_mhs, hashrate_avg_mhs,
         hashrate_expected_mhs, power_w, uptime_s, detail, poll_error) values ('agent-1', $1, 1, 'ok',
         100000000, 100000000, 110000000, 3250, 60, '{"boards":[],"fansRpm":[],"pools":[],"errors":[]}', '')`,
      [minerId],
    );
  }

  const minersA = await call<unknown>(a, 'GET', '/api/miners', { token });
  const minersB = await call<unknown>(b, 'GET', '/api/miners', { token });
  t.equal(minersA.status, 200, 'the token from A works on A');
  t.equal(minersB.status, 200, 'and on B');
  t.same(minersB.body.data, minersA.body.data, 'both list the same miners');

  const summaryA = await call<unknown>(a, 'GET', '/api/fleet/summary', { token });
  const summaryB = await call<unknown>(b, 'GET', '/api/fleet/summary', { token });
  t.equal(summaryA.status, 200);
  t.same(summaryB.body.data, summaryA.body.data, 'both give the same fleet summary');

  // An assignment through A is visible through B.
  const customer = await call<{ id: string }>(a, 'POST', '/api/customers', {
    token,
    body: { name: 'Client X' },
  });
  t.equal(customer.status, 201);
  const customerId = customer.body.data.id;
  const assigned = await call<{ updated: number }>(a, 'PUT', '/api/miners/agent-1/m1/customer', {
    token,
    body: { customerId },
  });
  t.equal(assigned.status, 200);
  t.equal(assigned.body.data.updated, 1);
  const seenByB = await call<{ miner: { customerId: string | null } }>(b, 'GET', '/api/miners/agent-1/m1', {
    token,
  });
  t.equal(seenByB.status, 200);
  t.match(seenByB.body.data, { miner: { customerId } }, 'B sees the customer A assigned');

  // The login limit (10 per minute per IP and email) is one budget across both instances (Redis store).
  const wrong = { body: { email: 'nobody@two.test', password: 'wrong password' } };
  for (let i = 0; i < 5; i += 1) t.equal((await call(a, 'POST', '/api/auth/login', wrong)).status, 401);
  for (let i = 0; i < 5; i += 1) t.equal((await call(b, 'POST', '/api/auth/login', wrong)).status, 401);
  const limited = await call(a, 'POST', '/api/auth/login', wrong);
  t.equal(limited.status, 429, 'the 11th attempt, on either instance, is limited');
  t.equal(limited.body.code, 'RATE_LIMITED');
  t.ok(Number(limited.headers.get('retry-after')) > 0);
});
