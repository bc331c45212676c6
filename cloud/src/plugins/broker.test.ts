// The embedded broker on a real socket with real MQTT clients and agent credentials in a real database: who may
// connect, what each agent may publish and subscribe to, oversized packets, and revocation.
import { connect as tcpConnect } from 'node:net';
import { agentTopic, CLOUD_STATE_TOPIC, cloudStateCodec, MAX_MESSAGE_BYTES } from '@hashinsight/protocol';
import t, { type Test } from 'tap';
import { verifyAgentCredentials } from '../features/agents/index.js';
import { migratedTestDatabase } from '../test/databases.js';
import {
  AGENT_PASSWORD,
  captureLogs,
  closed,
  connectAgent,
  enrollTestAgent,
  nextMessage,
  tryConnect,
} from '../test/helpers.js';
import { MAX_PACKET_BYTES, PacketSizeScanner } from './broker/index.js';
import { createEmbeddedBroker, type EmbeddedBroker } from './broker.js';

async function startBroker(t: Test, agents: string[] = ['agent-1', 'agent-2']) {
  const logs = captureLogs();
  const db = await migratedTestDatabase(t, 'sqlite');
  for (const agentId of agents) await enrollTestAgent(db, agentId);
  const broker = await createEmbeddedBroker(logs.logger, {
    verifyAgent: (agentId, password) => verifyAgentCredentials(db, agentId, password),
  });
  t.teardown(() => broker.close());
  const port = await broker.listen('127.0.0.1', 0);
  return { broker, port, logs, db };
}

/** Everything the cloud side receives on `filter`, as topics. */
async function collect(broker: EmbeddedBroker, filter: string) {
  const topics: string[] = [];
  await broker.subscribe(filter, (topic) => void topics.push(topic));
  return topics;
}

t.test('only enrolled agents with their own password and client id may connect', async (t) => {
  const { port, db } = await startBroker(t);
  t.equal(await tryConnect(port, 'agent-1'), 'connected', 'own id, own password');
  t.equal(
    await tryConnect(port, 'agent-1', { username: 'agent-1', password: 'wrong' }),
    'refused',
    'wrong password',
  );
  t.equal(await tryConnect(port, 'agent-1', { username: 'agent-1' }), 'refused', 'no password');
  t.equal(await tryConnect(port, 'agent-1', {}), 'refused', 'no login at all');
  t.equal(await tryConnect(port, 'ghost'), 'refused', 'an id that never enrolled');
  // agent-2's credentials cannot open a session under agent-1's client id, nor the other way round.
  t.equal(await tryConnect(port, 'agent-1', { username: 'agent-2', password: AGENT_PASSWORD }), 'refused');
  await enrollTestAgent(db, 'agent-3', 'agent-3-own-password');
  t.equal(
    await tryConnect(port, 'agent-1', { username: 'agent-3', password: 'agent-3-own-password' }),
    'refused',
    "another agent's valid login with my client id",
  );
  t.equal(
    await tryConnect(port, 'agent-1', { username: 'agent-1', password: 'agent-3-own-password' }),
    'refused',
    "another agent's password",
  );
  for (const clientId of ['bad/id', '+', '#', '', 'a b', 'x'.repeat(65)]) {
    t.equal(await tryConnect(port, clientId), 'refused', JSON.stringify(clientId));
  }
});

t.test('a refused login does not disturb the agent that owns the id', async (t) => {
  const { port } = await startBroker(t);
  const owner = await connectAgent(t, port, 'agent-1');
  t.equal(await tryConnect(port, 'agent-1', { username: 'agent-1', password: 'guess' }), 'refused');
  t.equal(await tryConnect(port, 'agent-1', { username: 'agent-2', password: AGENT_PASSWORD }), 'refused');
  await owner.publishAsync(agentTopic('agent-1', 'discovery'), Buffer.from([1]), { qos: 1 });
  t.ok(owner.connected, 'the real agent-1 is still connected and serving');
});

t.test('an agent publishes to its own topics and nowhere else', async (t) => {
  const { broker, port, logs } = await startBroker(t);
  const received = await collect(broker, 'hashinsight/#');
  const sys = await collect(broker, '$SYS/x');
  const own = await connectAgent(t, port, 'agent-1');
  await own.publishAsync(agentTopic('agent-1', 'telemetry'), Buffer.from([1]), { qos: 1 });
  await own.publishAsync(agentTopic('agent-1', 'state'), Buffer.from([1]), { qos: 1 });
  t.same(received, [agentTopic('agent-1', 'telemetry'), agentTopic('agent-1', 'state')]);

  const refused = [
    agentTopic('agent-2', 'telemetry'),
    '$SYS/x',
    agentTopic('agent-1', 'ack'),
    CLOUD_STATE_TOPIC,
    'hashinsight/v1/agent/agent-1/telemetry/extra',
  ];
  // A wildcard in a PUBLISH topic is a protocol violation: the connection drops before any ACL check.
  for (const topic of [...refused, 'hashinsight/v1/agent/+/telemetry']) {
    const client = await connectAgent(t, port, 'agent-1');
    const refusal = closed(client);
    client.publish(topic, Buffer.from([1]), { qos: 0 });
    await refusal; // MQTT 3.1.1 has no negative PUBACK: the broker drops the connection
    t.pass(`refused ${topic}`);
  }
  // A last allowed publish proves the broker is still serving and that nothing refused slipped through.
  const last = await connectAgent(t, port, 'agent-1');
  await last.publishAsync(agentTopic('agent-1', 'discovery'), Buffer.from([1]), { qos: 1 });
  t.same(received, [
    agentTopic('agent-1', 'telemetry'),
    agentTopic('agent-1', 'state'),
    agentTopic('agent-1', 'discovery'),
  ]);
  t.same(sys, [], '$SYS/x never reached a subscriber');
  t.equal(
    logs.entries().filter((entry) => entry.msg === 'mqtt publish refused').length,
    refused.length,
    'each ACL refusal logged',
  );
});

t.test('an agent subscribes to its own cloud-to-agent topics only, without wildcards', async (t) => {
  const { port } = await startBroker(t);
  const client = await connectAgent(t, port, 'agent-1');
  // mqtt.js rejects a subscribe whose SUBACK says 128 (failure); either way, report the granted code.
  const grants = (topic: string) =>
    client.subscribeAsync(topic, { qos: 1 }).then(
      (granted) => granted[0]?.qos,
      (error: { packet?: { granted?: number[] } }) => error.packet?.granted?.[0],
    );
  for (const kind of ['ack', 'command', 'credential'] as const)
    t.equal(await grants(agentTopic('agent-1', kind)), 1);
  t.equal(await grants(CLOUD_STATE_TOPIC), 1);
  for (const topic of [
    agentTopic('agent-2', 'ack'),
    'hashinsight/v1/agent/+/ack',
    'hashinsight/v1/agent/agent-1/#',
    'hashinsight/#',
    '#',
    '$SYS/#',
    agentTopic('agent-1', 'telemetry'),
  ]) {
    t.equal(await grants(topic), 128, `refused ${topic}`);
  }
  t.ok(client.connected, 'a refused subscription keeps the connection');
});

t.test('packets over the size limit are cut off at their header', async (t) => {
  const { broker, port, logs } = await startBroker(t);
  const received = await collect(broker, 'hashinsight/#');
  const client = await connectAgent(t, port, 'agent-1');
  // The largest payload the protocol allows still passes.
  await client.publishAsync(agentTopic('agent-1', 'telemetry'), Buffer.alloc(MAX_MESSAGE_BYTES, 1), {
    qos: 1,
  });
  t.same(received, [agentTopic('agent-1', 'telemetry')]);
  const cut = closed(client);
  client.publish(agentTopic('agent-1', 'telemetry'), Buffer.alloc(MAX_PACKET_BYTES + 1, 1), { qos: 1 });
  await cut;
  t.same(received, [agentTopic('agent-1', 'telemetry')], 'the oversized message reached no subscriber');
  t.ok(logs.entries().some((entry) => entry.msg === 'mqtt client cut off: packet too large'));

  // A header announcing 200 MB is enough: the broker does not wait for (or buffer) the body.
  const socket = tcpConnect(port, '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const socketClosed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => undefined);
  socket.write(Buffer.from([0x30, 0x80, 0x80, 0x80, 0x64])); // PUBLISH, remaining length 200 * 2^21
  await socketClosed;
  t.pass('a bare oversized header closes the socket');
});

t.test('revoking an agent cuts its live session and its password stops working', async (t) => {
  const { broker, port, db } = await startBroker(t);
  const agent = await connectAgent(t, port, 'agent-1');
  const bystander = await connectAgent(t, port, 'agent-2');
  const cut = closed(agent);
  await db.updateTable('agent').set({ revoked_at: Date.now() }).where('id', '=', 'agent-1').execute();
  await broker.revokeAgent('agent-1');
  await cut;
  t.notOk(agent.connected, 'the revoked agent was disconnected by the broker');
  t.equal(await tryConnect(port, 'agent-1'), 'refused', 'and cannot come back');
  t.ok(bystander.connected, 'other agents stay connected');
  await broker.revokeAgent('agent-1'); // nothing connected: a no-op, not an error
});

t.test('the cloud state is retained online while the broker runs', async (t) => {
  const { port } = await startBroker(t);
  const client = await connectAgent(t, port, 'agent-1');
  const message = nextMessage(client, CLOUD_STATE_TOPIC);
  await client.subscribeAsync(CLOUD_STATE_TOPIC, { qos: 1 });
  t.match(cloudStateCodec.decode(await message), { online: true });
});

t.test('close ends client connections and frees the port', async (t) => {
  const { broker, port, db, logs } = await startBroker(t);
  const client = await connectAgent(t, port, 'agent-1');
  const disconnected = closed(client);
  await broker.close();
  await disconnected;
  t.equal(broker.isRunning(), false);
  const again = await createEmbeddedBroker(logs.logger, {
    verifyAgent: (agentId, password) => verifyAgentCredentials(db, agentId, password),
  });
  t.teardown(() => again.close());
  t.equal(await again.listen('127.0.0.1', port), port, 'the port is free again');
});

t.test('PacketSizeScanner follows packets across chunk boundaries', async (t) => {
  const scanner = new PacketSizeScanner(300);
  // Two packets (remaining lengths 2 and 200, the latter's varint split across chunks), then one of 301.
  t.ok(scanner.push(Buffer.from([0xc0, 0x00, 0x30, 0x02, 0xaa])));
  t.ok(scanner.push(Buffer.from([0xbb, 0x30, 0xc8])));
  t.ok(scanner.push(Buffer.concat([Buffer.from([0x01]), Buffer.alloc(200)])));
  t.notOk(scanner.push(Buffer.from([0x30, 0xad, 0x02])), '301 bytes announced');
  const malformed = new PacketSizeScanner(Number.MAX_SAFE_INTEGER);
  t.notOk(malformed.push(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01])), 'a fifth length byte');
});
