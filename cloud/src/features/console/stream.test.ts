// GET /api/stream over a real socket: each tenant's staff see their own fleet ticks, agent presence (through the
// real events relay) and command changes (from real commands and from the notifier, as other instances publish
// them); a hosting client sees fleet ticks without site ids and nothing else; another tenant sees none of it.
// Bursts are coalesced, the number of streams per user is capped, and closing the app ends the streams.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Test } from 'tap';
import { buildApp } from '../../app.js';
import type { Db } from '../../db/index.js';
import { recordEvent } from '../../platform/index.js';
import { createEmbeddedBroker } from '../../plugins/broker.js';
import { testEachDialect } from '../../test/databases.js';
import { insertAgent, insertMiner } from '../../test/fleet.js';
import { captureLogs, JWT_SECRET } from '../../test/helpers.js';
import { accessToken, bearer, seedTenant } from '../../test/identities.js';
import { collectServerEvents } from '../../test/sse.js';
import { publishCommandChange, publishTargetChange, tenantCommandsChannel } from '../commands/index.js';
import { fleetChannel } from '../ingest/index.js';
import { agentsChannel } from './index.js';

type Stream = ReturnType<typeof collectServerEvents>;

function get(port: number, headers: Record<string, string>): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/api/stream', headers }, resolve);
    req.on('error', reject);
    req.end();
  });
}

async function jsonOf(response: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  response.setEncoding('utf8');
  for await (const chunk of response) text += chunk;
  return JSON.parse(text) as Record<string, unknown>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function setup(
  t: Test,
  db: Db,
  options: { streamThrottleMs?: number; maxStreamsPerUser?: number; slowStreamAuthMs?: number } = {},
) {
  const { slowStreamAuthMs, ...console } = options;
  const a = await seedTenant(db, 'a');
  const b = await seedTenant(db, 'b');
  await insertAgent(db, { id: 'agent-a', tenantId: a.tenantId, siteId: a.siteId });
  for (const id of ['m0', 'm1']) {
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
    commandEngine: { timers: false },
    console: { streamHeartbeatMs: 50, streamThrottleMs: 200, ...console },
  });
  app.commandEngine.kick = () => undefined;
  if (slowStreamAuthMs !== undefined) {
    // Stands for a slow session lookup: the client can hang up before the handler runs.
    app.addHook('onRequest', async (request) => {
      if (request.url === '/api/stream') await sleep(slowStreamAuthMs);
    });
  }
  t.teardown(async () => {
    await app.close();
    await broker.close();
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as AddressInfo).port;
  /** An open stream, once `ready` (its channels are subscribed). */
  const stream = async (token: string): Promise<Stream> => {
    const response = await get(port, { ...bearer(token), accept: 'text/event-stream' });
    t.equal(response.statusCode, 200);
    const opened = collectServerEvents(response);
    t.teardown(opened.close);
    await opened.until(() => opened.of('ready').length === 1);
    return opened;
  };
  return { app, a, b, port, stream };
}

testEachDialect('live stream: events reach their tenant, customers get only fleet ticks', async (t, db) => {
  const { app, a, b, stream } = await setup(t, db);
  const notifier = app.platform.notifier;
  const staffA = await stream(await accessToken(app, db, a.users.mining_site));
  const customerA = await stream(await accessToken(app, db, a.users.customer));
  const staffB = await stream(await accessToken(app, db, b.users.admin));
  t.match(staffA.of('ready')[0]?.data, { at: Number });

  // Hostile or malformed messages on the channels are dropped; the streams stay up.
  await notifier.publish(fleetChannel(a.tenantId), { siteIds: 'everything' });
  await notifier.publish(fleetChannel(a.tenantId), { siteIds: [42, { $ne: 1 }, 'x'.repeat(65)] });
  await notifier.publish(agentsChannel(a.tenantId), { agentId: ['x'], online: 'yes' });
  await notifier.publish(tenantCommandsChannel(a.tenantId), { commandId: 'c', status: 'pwned', at: 1 });

  // A fleet tick (as the ingest publishes it): staff see the sites, the customer only that something changed.
  await notifier.publish(fleetChannel(a.tenantId), { siteIds: [a.siteId] });
  await staffA.until(() => staffA.of('fleet').some((e) => (e.data.siteIds as string[]).includes(a.siteId)));
  await customerA.until(() => customerA.of('fleet').length >= 1);
  t.ok(
    customerA.of('fleet').every((e) => Array.isArray(e.data.siteIds) && e.data.siteIds.length === 0),
    'a customer never sees site ids',
  );

  // Agent presence through the real path: an event in the outbox, relayed, consumed, fanned out.
  await recordEvent(db, {
    type: 'agent.online',
    tenantId: a.tenantId,
    payload: { agentId: 'agent-a', siteId: a.siteId, epoch: 2, hostname: 'h' },
  });
  await app.platform.events.relayOnce();
  await staffA.until(() => staffA.of('agent').length >= 1);
  t.match(staffA.of('agent')[0]?.data, { agentId: 'agent-a', siteId: a.siteId, online: true, at: Number });

  // A real command: its creation, then its targets' progress (which carries no status: read from the database).
  const created = await app.inject({
    method: 'POST',
    url: '/api/commands',
    headers: { ...bearer(await accessToken(app, db, a.users.mining_site)), 'idempotency-key': 'live-1' },
    payload: { type: 'reboot', targets: { minerIds: ['m0', 'm1'] } },
  });
  t.equal(created.statusCode, 201);
  const command = created.json().data as { id: string; status: string };
  await staffA.until(() => staffA.of('command').length >= 1);
  t.match(staffA.of('command')[0]?.data, { commandId: command.id, status: command.status, at: Number });
  await sleep(250); // past the throttle window of that command
  await publishTargetChange(notifier, a.tenantId, {
    commandId: command.id,
    agentId: 'agent-a',
    minerId: 'm0',
    state: 'running',
    version: 2,
    at: Date.now(),
  });
  await staffA.until(() => staffA.of('command').length >= 2);
  t.match(staffA.of('command')[1]?.data, { commandId: command.id, status: command.status });

  // B's stream: a tick of its own arrives, and nothing of A's ever did. Same for A's customer.
  await notifier.publish(fleetChannel(b.tenantId), { siteIds: [b.siteId] });
  await staffB.until(() => staffB.of('fleet').length >= 1);
  t.same(
    staffB.events.map((e) => e.event),
    ['ready', 'fleet'],
    "B's staff saw only B's own tick",
  );
  t.same(staffB.of('fleet')[0]?.data.siteIds, [b.siteId]);
  t.notMatch(JSON.stringify(staffB.events), a.siteId);
  t.notMatch(JSON.stringify(staffB.events), command.id);
  await customerA.until(() => customerA.heartbeats() >= 1);
  t.same(
    [...new Set(customerA.events.map((e) => e.event))],
    ['ready', 'fleet'],
    'the customer saw no agent or command event',
  );
  t.ok(staffA.heartbeats() >= 1, 'heartbeat comments flow');
});

testEachDialect('live stream: bursts are coalesced per kind and per command', async (t, db) => {
  const { app, a, stream } = await setup(t, db, { streamThrottleMs: 300 });
  const notifier = app.platform.notifier;
  const staff = await stream(await accessToken(app, db, a.users.owner));

  await notifier.publish(fleetChannel(a.tenantId), { siteIds: ['s1'] });
  await notifier.publish(fleetChannel(a.tenantId), { siteIds: ['s2'] });
  await notifier.publish(fleetChannel(a.tenantId), { siteIds: ['s3'] });
  await notifier.publish(fleetChannel(a.tenantId), { siteIds: ['s2'] });
  await staff.until(() => staff.of('fleet').length >= 2);
  await sleep(450);
  const fleet = staff.of('fleet');
  t.equal(fleet.length, 2, 'four ticks: one at once, one for the rest of the window');
  t.same(fleet[0]?.data.siteIds, ['s1']);
  t.same(
    [...((fleet[1]?.data.siteIds as string[] | undefined) ?? [])].sort(),
    ['s2', 's3'],
    'the sites of the burst, once each',
  );
  const gap = (fleet[1]?.at ?? 0) - (fleet[0]?.at ?? 0);
  t.ok(gap >= 250, `the second came after the window (${gap} ms)`);

  // One command: its status changes and target progress within a window leave as one event, the last status.
  const progress = (commandId: string) =>
    publishTargetChange(notifier, a.tenantId, {
      commandId,
      agentId: 'agent-a',
      minerId: 'm0',
      state: 'running',
      version: 2,
      at: Date.now(),
    });
  await publishCommandChange(notifier, a.tenantId, { commandId: 'c1', status: 'active', at: 1 });
  await progress('c1');
  await publishCommandChange(notifier, a.tenantId, { commandId: 'c1', status: 'cancelled', at: 2 });
  await progress('c1');
  // A second command is throttled on its own, and progress of a command that does not exist says nothing.
  await publishCommandChange(notifier, a.tenantId, { commandId: 'c2', status: 'awaiting_approval', at: 3 });
  await progress('no-such-command');
  await staff.until(() => staff.of('command').length >= 3);
  await sleep(450);
  const commands = staff.of('command').map((e) => e.data);
  t.equal(commands.length, 3);
  t.match(commands, [
    { commandId: 'c1', status: 'active' },
    { commandId: 'c2', status: 'awaiting_approval' },
    { commandId: 'c1', status: 'cancelled' },
  ]);
});

testEachDialect('live stream: Accept, per-user cap, closing the app', async (t, db) => {
  const { app, a, port, stream } = await setup(t, db, { maxStreamsPerUser: 2 });
  const token = await accessToken(app, db, a.users.admin);

  const plain = await get(port, bearer(token));
  t.equal(plain.statusCode, 406, 'a plain GET gets an answer, not an endless response');
  t.match(await jsonOf(plain), { success: false, code: 'STREAM_NOT_ACCEPTABLE' });
  const guest = await get(port, {
    ...bearer(await accessToken(app, db, a.users.guest)),
    accept: 'text/event-stream',
  });
  t.equal(guest.statusCode, 403);
  guest.resume();
  const anonymous = await get(port, { accept: 'text/event-stream' });
  t.equal(anonymous.statusCode, 401);
  anonymous.resume();

  const first = await stream(token);
  const second = await stream(token);
  const third = await get(port, { ...bearer(token), accept: 'text/event-stream' });
  t.equal(third.statusCode, 429);
  t.match(await jsonOf(third), { success: false, code: 'STREAM_TOO_MANY' });
  // Another user is not held back by that one.
  const other = await stream(await accessToken(app, db, a.users.owner));

  // A closed tab frees its place.
  first.close();
  await sleep(100);
  const again = await stream(token);

  await app.close();
  await Promise.all([second.ended, again.ended, other.ended]);
  t.pass('every open stream ended with the app');
});

testEachDialect(
  'live stream: a client that hangs up during authentication frees its place',
  async (t, db) => {
    const { app, a, port } = await setup(t, db, { maxStreamsPerUser: 2, slowStreamAuthMs: 150 });
    const token = await accessToken(app, db, a.users.admin);
    // Three requests abandoned while the (slowed) authentication runs: more than the cap of 2.
    for (let i = 0; i < 3; i++) {
      const request = httpRequest({
        host: '127.0.0.1',
        port,
        path: '/api/stream',
        headers: { ...bearer(token), accept: 'text/event-stream' },
      });
      request.on('error', () => undefined);
      request.end();
      await sleep(30);
      request.destroy();
    }
    await sleep(400);
    // Before the fix each of them kept a place: this one got 429 until the process restarted.
    const response = await get(port, { ...bearer(token), accept: 'text/event-stream' });
    t.equal(response.statusCode, 200, 'a new stream opens: the abandoned requests hold no place');
    response.destroy();
  },
);
