// Two cloud instances over one database and one Redis: a stream opened on one sees a cancel made on the other, and
// the tenant's command rate limit is counted across both.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Test } from 'tap';
import { buildApp } from '../../app.js';
import type { Db } from '../../db/index.js';
import { createPlatform } from '../../platform/index.js';
import { redisService, redisTestPrefix } from '../../platform/test/redis.js';
import { createEmbeddedBroker } from '../../plugins/broker.js';
import { testEachDialect } from '../../test/databases.js';
import { insertAgent, insertMiner } from '../../test/fleet.js';
import { captureLogs, JWT_SECRET } from '../../test/helpers.js';
import { accessToken, bearer, seedTenant } from '../../test/identities.js';

async function instance(t: Test, db: Db, prefix: string) {
  const logs = captureLogs();
  const platform = await createPlatform({
    db,
    logger: logs.logger,
    redisUrl: redisService.url,
    redisPrefix: prefix,
  });
  const broker = await createEmbeddedBroker(logs.logger, { verifyAgent: async () => false });
  const app = await buildApp({
    db,
    broker,
    jwtSecret: JWT_SECRET,
    logger: logs.logger,
    platform,
    commands: { policy: { tenantPerMinute: 3 }, sseHeartbeatMs: 100 },
    commandEngine: { timers: false },
  });
  app.commandEngine.kick = () => undefined;
  t.teardown(async () => {
    await app.close();
    await broker.close();
    await platform.close();
  });
  return app;
}

function eventsOf(response: IncomingMessage) {
  const kinds: string[] = [];
  let buffer = '';
  response.setEncoding('utf8');
  response.on('data', (chunk: string) => {
    buffer += chunk;
    for (const match of buffer.matchAll(/^event: (\w+)$/gm)) kinds.push(match[1] as string);
    buffer = buffer.slice(buffer.lastIndexOf('\n\n') + 2);
  });
  return { kinds, ended: new Promise<void>((resolve) => response.on('end', resolve)) };
}

testEachDialect('commands across two instances: SSE and the tenant rate limit', async (t, db) => {
  if (redisService.skip) return t.plan(0, redisService.skip);
  const prefix = redisTestPrefix(t);
  const a = await seedTenant(db, 'a');
  await insertAgent(db, { id: 'agent-a', tenantId: a.tenantId, siteId: a.siteId });
  for (let i = 0; i < 10; i++) {
    await insertMiner(db, { agentId: 'agent-a', id: `m${i}`, tenantId: a.tenantId, siteId: a.siteId });
  }
  await db.updateTable('miner').set({ capabilities: '["reboot"]' }).execute();
  const one = await instance(t, db, prefix);
  const two = await instance(t, db, prefix);
  const staffOne = await accessToken(one, db, a.users.mining_site);
  const adminTwo = await accessToken(two, db, a.users.admin);
  const post = (app: typeof one, token: string, key: string) =>
    app.inject({
      method: 'POST',
      url: '/api/commands',
      headers: { ...bearer(token), 'idempotency-key': key },
      payload: { type: 'reboot', targets: { minerIds: ['m0'] } },
    });

  const created = await post(one, staffOne, 'i-1');
  t.equal(created.statusCode, 201);
  const id = created.json().data.id;
  await one.listen({ host: '127.0.0.1', port: 0 });
  const port = (one.server.address() as AddressInfo).port;
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path: `/api/commands/${id}/events`, headers: bearer(staffOne) },
      resolve,
    );
    req.on('error', reject);
    req.end();
  });
  const stream = eventsOf(response);
  while (!stream.kinds.includes('snapshot')) await new Promise((resolve) => setTimeout(resolve, 20));

  const cancelled = await two.inject({
    method: 'POST',
    url: `/api/commands/${id}/cancel`,
    headers: bearer(adminTwo),
  });
  t.equal(cancelled.statusCode, 200, 'cancelled on the other instance');
  await stream.ended;
  t.same(
    stream.kinds,
    ['snapshot', 'target', 'command', 'end'],
    "instance one's stream saw instance two's cancel",
  );

  // Tenant limit 3 per minute, counted in Redis: one request on one, then two on two, then refused anywhere.
  t.equal((await post(two, adminTwo, 'i-2')).statusCode, 201);
  t.equal((await post(two, adminTwo, 'i-3')).statusCode, 201);
  t.equal((await post(one, staffOne, 'i-4')).statusCode, 429);
  t.equal((await post(two, adminTwo, 'i-5')).json().code, 'COMMANDS_RATE_LIMITED');
});
