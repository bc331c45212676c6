// The live stream of a command over a real socket: snapshot, one event per target change (also from another
// "instance" publishing on the notifier), heartbeats, the end once everything is final, and no stream at all for
// another tenant's command.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildApp } from '../../app.js';
import type { Db } from '../../db/index.js';
import { createEmbeddedBroker } from '../../plugins/broker.js';
import { testEachDialect } from '../../test/databases.js';
import { insertAgent, insertMiner } from '../../test/fleet.js';
import { captureLogs, JWT_SECRET } from '../../test/helpers.js';
import { accessToken, bearer, seedTenant } from '../../test/identities.js';
import { collectServerEvents } from '../../test/sse.js';
import { publishCommandChange, publishTargetChange } from './events.js';

function open(port: number, path: string, token: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers: bearer(token) }, resolve);
    req.on('error', reject);
    req.end();
  });
}

async function setup(t: Parameters<Parameters<typeof testEachDialect>[1]>[0], db: Db) {
  const a = await seedTenant(db, 'a');
  const b = await seedTenant(db, 'b');
  await insertAgent(db, { id: 'agent-a', tenantId: a.tenantId, siteId: a.siteId });
  for (const id of ['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9']) {
    await insertMiner(db, { agentId: 'agent-a', id, tenantId: a.tenantId, siteId: a.siteId });
  }
  await db.updateTable('miner').set({ capabilities: '["reboot"]' }).execute();
  const logs = captureLogs();
  const broker = await createEmbeddedBroker(logs.logger, { verifyAgent: async () => false });
  const app = await buildApp({
    db,
    broker,
    jwtSecret: JWT_SECRET,
    logger: logs.logger,
    commands: { sseHeartbeatMs: 50 },
    commandEngine: { timers: false },
  });
  app.commandEngine.kick = () => undefined;
  t.teardown(async () => {
    await app.close();
    await broker.close();
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as AddressInfo).port;
  return { app, a, b, port };
}

testEachDialect('commands SSE: snapshot, target and command events, heartbeat, end', async (t, db) => {
  const { app, a, b, port } = await setup(t, db);
  const staff = await accessToken(app, db, a.users.mining_site);
  const created = (
    await app.inject({
      method: 'POST',
      url: '/api/commands',
      headers: { ...bearer(staff), 'idempotency-key': 'sse-1' },
      payload: { type: 'reboot', targets: { minerIds: ['m0', 'm1'] } },
    })
  ).json().data;

  const response = await open(port, `/api/commands/${created.id}/events`, staff);
  t.equal(response.statusCode, 200);
  t.match(response.headers['content-type'], /^text\/event-stream/);
  const stream = collectServerEvents(response);
  await stream.until(() => stream.events.length >= 1);
  t.match(stream.events[0], {
    event: 'snapshot',
    data: { id: created.id, state: 'queued', counts: { queued: 2 } },
  });

  // A change published by any instance (here: straight on the notifier, as the engine does).
  await db
    .updateTable('command_target')
    .set({ state: 'running', version: 2 })
    .where('miner_id', '=', 'm1')
    .execute();
  await publishTargetChange(app.platform.notifier, a.tenantId, {
    commandId: created.id,
    agentId: 'agent-a',
    minerId: 'm1',
    state: 'running',
    version: 2,
    at: 1,
  });
  // Another tenant's channel never reaches this stream, even with the same command id.
  await publishTargetChange(app.platform.notifier, b.tenantId, {
    commandId: created.id,
    agentId: 'agent-x',
    minerId: 'x',
    state: 'failed',
    version: 9,
    at: 1,
  });
  await stream.until(() => stream.events.some((e) => e.event === 'target'));
  await stream.until(() => stream.heartbeats() >= 2);

  // Cancel: m0 cancelled at once (a target event), the command cancelled; m1 still running keeps it open.
  const cancelled = await app.inject({
    method: 'POST',
    url: `/api/commands/${created.id}/cancel`,
    headers: bearer(staff),
  });
  t.equal(cancelled.statusCode, 200);
  await stream.until(() => stream.events.some((e) => e.event === 'command'));
  t.notOk(response.complete, 'open while a target is still running');

  // The last target finishes: the stream says end and closes.
  await db
    .updateTable('command_target')
    .set({ state: 'succeeded', version: 3 })
    .where('miner_id', '=', 'm1')
    .execute();
  await publishCommandChange(app.platform.notifier, a.tenantId, {
    commandId: created.id,
    status: 'cancelled',
    at: 2,
  });
  await stream.ended;
  const kinds = stream.events.map((e) => e.event);
  t.same(
    kinds.filter((k) => k !== 'command'),
    ['snapshot', 'target', 'target', 'end'],
  );
  const targets = stream.events.filter((e) => e.event === 'target').map((e) => e.data);
  t.match(targets, [
    { minerId: 'm1', state: 'running', version: 2 },
    { minerId: 'm0', state: 'cancelled', version: 1 },
  ]);
  t.notOk(
    targets.some((target) => target.agentId === 'agent-x'),
    "B's notification did not reach A's stream",
  );

  // A finished command: snapshot and end straight away.
  const again = collectServerEvents(await open(port, `/api/commands/${created.id}/events`, staff));
  await again.ended;
  t.same(
    again.events.map((e) => e.event),
    ['snapshot', 'end'],
  );

  // Another tenant: a JSON 404, no stream.
  const foreign = await open(
    port,
    `/api/commands/${created.id}/events`,
    await accessToken(app, db, b.users.admin),
  );
  t.equal(foreign.statusCode, 404);
  t.match(foreign.headers['content-type'], /application\/json/);
  foreign.resume();
});

testEachDialect('commands SSE: closing the app ends open streams', async (t, db) => {
  const { app, a, port } = await setup(t, db);
  const staff = await accessToken(app, db, a.users.mining_site);
  const id = (
    await app.inject({
      method: 'POST',
      url: '/api/commands',
      headers: { ...bearer(staff), 'idempotency-key': 'sse-2' },
      payload: { type: 'reboot', targets: { minerIds: ['m2'] } },
    })
  ).json().data.id;
  const stream = collectServerEvents(await open(port, `/api/commands/${id}/events`, staff));
  await stream.until(() => stream.events.length >= 1);
  await app.close();
  await stream.ended;
  t.pass('the stream ended with the app');
});
