import { agentTopic, CLOUD_STATE_TOPIC, cloudStateCodec } from '@hashinsight/protocol';
import t, { type Test } from 'tap';
import { captureLogs, closed, connectAgent, nextMessage, tryConnect } from '../test/helpers.js';
import { createEmbeddedBroker } from './broker.js';

async function startBroker(t: Test) {
  const logs = captureLogs();
  const broker = await createEmbeddedBroker(logs.logger);
  t.teardown(() => broker.close());
  const port = await broker.listen('127.0.0.1', 0);
  return { broker, port, logs };
}

/** Everything the cloud side receives on `filter`, as topics. */
async function collect(broker: Awaited<ReturnType<typeof startBroker>>['broker'], filter: string) {
  const topics: string[] = [];
  await broker.subscribe(filter, (topic) => void topics.push(topic));
  return topics;
}

t.test('only valid agent ids may connect', async (t) => {
  const { port } = await startBroker(t);
  t.equal(await tryConnect(port, 'agent-1'), 'connected');
  for (const clientId of ['bad/id', '+', '#', '', 'a b', 'x'.repeat(65)]) {
    const started = Date.now();
    t.equal(await tryConnect(port, clientId), 'refused', JSON.stringify(clientId));
    // The broker must drop the socket itself, not leave it open until the client gives up.
    t.ok(Date.now() - started < 2000, 'refused at once');
  }
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
  for (const topic of refused) {
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
  t.equal(logs.entries().filter((entry) => entry.msg === 'mqtt publish refused').length, refused.length);
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
    'hashinsight/#',
    '#',
    '$SYS/#',
    agentTopic('agent-1', 'telemetry'),
  ]) {
    t.equal(await grants(topic), 128, `refused ${topic}`);
  }
  t.ok(client.connected, 'a refused subscription keeps the connection');
});

t.test('the cloud state is retained online while the broker runs', async (t) => {
  const { port } = await startBroker(t);
  const client = await connectAgent(t, port, 'agent-1');
  const message = nextMessage(client, CLOUD_STATE_TOPIC);
  await client.subscribeAsync(CLOUD_STATE_TOPIC, { qos: 1 });
  t.match(cloudStateCodec.decode(await message), { online: true });
});

t.test('close ends client connections and frees the port', async (t) => {
  const logs = captureLogs();
  const broker = await createEmbeddedBroker(logs.logger);
  const port = await broker.listen('127.0.0.1', 0);
  const client = await connectAgent(t, port, 'agent-1');
  const disconnected = closed(client);
  await broker.close();
  await disconnected;
  t.equal(broker.isRunning(), false);
  const again = await createEmbeddedBroker(logs.logger);
  t.teardown(() => again.close());
  t.equal(await again.listen('127.0.0.1', port), port, 'the port is free again');
});
