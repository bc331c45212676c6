import { resolve } from 'node:path';
import { agentTopic, allAgentsTopic, CLOUD_STATE_TOPIC, cloudStateCodec } from '@hashinsight/protocol';
import { mosquittoMissing, startMosquitto, waitFor } from '@hashinsight/testkit';
import mqtt, { type MqttClient } from 'mqtt';
import t, { type Test } from 'tap';
import { captureLogs, closed, nextMessage, tryConnect } from '../../test/helpers.js';
import { connectExternalBroker, type ExternalBroker } from './external.js';
import { MAX_PACKET_BYTES } from './index.js';

const INFRA = resolve(import.meta.dirname, '../../../../infra/mosquitto');
const skip = mosquittoMissing;

async function startCloudSide(t: Test) {
  const { port, cloudUrl } = await startMosquitto(t, INFRA);
  const logs = captureLogs();
  const broker = await connectExternalBroker(logs.logger, { url: cloudUrl });
  t.teardown(() => broker.close());
  return { port, cloudUrl, broker, logs };
}

async function agentClient(t: Test, port: number, agentId: string, password: string): Promise<MqttClient> {
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
    clientId: agentId,
    username: agentId,
    password,
    protocolVersion: 4,
    reconnectPeriod: 0,
  });
  t.teardown(() => client.endAsync(true));
  return client;
}

async function received(broker: ExternalBroker, filter: string) {
  const topics: string[] = [];
  await broker.subscribe(filter, (topic) => void topics.push(topic));
  return topics;
}

t.test('Mosquitto: provisioned agents log in as themselves only', { skip }, async (t) => {
  const { port, broker } = await startCloudSide(t);
  await broker.provisionAgent('agent-1', 'pw-of-agent-1');
  await broker.provisionAgent('agent-2', 'pw-of-agent-2');
  const login = (username: string, password: string) => ({ username, password });
  t.equal(await tryConnect(port, 'agent-1', login('agent-1', 'pw-of-agent-1')), 'connected');
  t.equal(await tryConnect(port, 'agent-1', login('agent-1', 'wrong')), 'refused', 'wrong password');
  t.equal(await tryConnect(port, 'agent-1', {}), 'refused', 'anonymous');
  t.equal(await tryConnect(port, 'ghost', login('ghost', 'pw-of-agent-1')), 'refused', 'never provisioned');
  t.equal(
    await tryConnect(port, 'agent-2', login('agent-1', 'pw-of-agent-1')),
    'refused',
    "agent-1's login cannot take agent-2's client id",
  );
  t.equal(await tryConnect(port, 'agent-1', login('agent-2', 'pw-of-agent-2')), 'refused');
});

t.test('Mosquitto: an agent publishes and subscribes only in its own subtree', { skip }, async (t) => {
  const { port, broker } = await startCloudSide(t);
  await broker.provisionAgent('agent-1', 'pw-1');
  await broker.provisionAgent('agent-2', 'pw-2');
  const telemetry = await received(broker, allAgentsTopic('telemetry'));
  const everything = await received(broker, 'hashinsight/#');
  const agent = await agentClient(t, port, 'agent-1', 'pw-1');

  // Mosquitto answers a refused QoS 1 publish with a PUBACK too (3.1.1 has no negative one) and drops it: an
  // allowed publish sent afterwards arrives, so anything refused before it would have arrived by then.
  for (const topic of [
    agentTopic('agent-2', 'telemetry'),
    agentTopic('agent-1', 'ack'),
    CLOUD_STATE_TOPIC,
    '$SYS/broker/uptime',
    'hashinsight/v1/agent/agent-1/telemetry/extra',
  ]) {
    await agent.publishAsync(topic, Buffer.from([1]), { qos: 1 });
  }
  await agent.publishAsync(agentTopic('agent-1', 'telemetry'), Buffer.from([2]), { qos: 1 });
  await waitFor('the allowed publish', () => (telemetry.length === 1 ? true : undefined));
  t.same(telemetry, [agentTopic('agent-1', 'telemetry')], 'the agent id comes from an allowed topic only');
  t.same(
    everything.filter((topic) => topic !== CLOUD_STATE_TOPIC),
    [agentTopic('agent-1', 'telemetry')],
    'nothing refused reached the cloud',
  );

  const grants = (topic: string) =>
    agent.subscribeAsync(topic, { qos: 1 }).then(
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

  // What the cloud sends reaches the agent it is for, and the retained cloud state says online.
  const ack = nextMessage(agent, agentTopic('agent-1', 'ack'));
  await broker.publish(agentTopic('agent-1', 'ack'), Buffer.from([7]), { qos: 1, retain: false });
  t.same([...(await ack)], [7]);
  const state = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
    clientId: 'agent-2',
    username: 'agent-2',
    password: 'pw-2',
    protocolVersion: 4,
  });
  t.teardown(() => state.endAsync(true));
  const online = nextMessage(state, CLOUD_STATE_TOPIC);
  await state.subscribeAsync(CLOUD_STATE_TOPIC, { qos: 1 });
  t.match(cloudStateCodec.decode(await online), { online: true });
});

t.test(
  'Mosquitto: an oversized packet disconnects the agent before the cloud sees it',
  { skip },
  async (t) => {
    const { port, broker } = await startCloudSide(t);
    await broker.provisionAgent('agent-1', 'pw-1');
    const telemetry = await received(broker, allAgentsTopic('telemetry'));
    const agent = await agentClient(t, port, 'agent-1', 'pw-1');
    const cut = closed(agent);
    agent.publish(agentTopic('agent-1', 'telemetry'), Buffer.alloc(MAX_PACKET_BYTES + 1), { qos: 1 });
    await cut;
    t.same(telemetry, [], 'never delivered');
  },
);

t.test('Mosquitto: revoking an agent cuts its live session and its login', { skip }, async (t) => {
  const { port, broker } = await startCloudSide(t);
  await broker.provisionAgent('agent-1', 'pw-1');
  await broker.provisionAgent('agent-2', 'pw-2');
  const agent = await agentClient(t, port, 'agent-1', 'pw-1');
  const bystander = await agentClient(t, port, 'agent-2', 'pw-2');
  const cut = closed(agent);
  await broker.revokeAgent('agent-1');
  await cut;
  t.notOk(agent.connected, 'disconnected by the broker at once');
  t.equal(await tryConnect(port, 'agent-1', { username: 'agent-1', password: 'pw-1' }), 'refused');
  t.ok(bystander.connected, 'other agents stay connected');
  await broker.revokeAgent('agent-1');
  t.pass('revoking again is not an error');
  await t.rejects(
    broker.provisionAgent('agent-2', 'again'),
    { code: 'BROKER_DYNSEC_FAILED' },
    'no duplicate logins',
  );
});

t.test(
  'Mosquitto: one of two cloud instances stopping leaves the cloud state online',
  { skip },
  async (t) => {
    const { port, cloudUrl, broker: first, logs } = await startCloudSide(t);
    const second = await connectExternalBroker(logs.logger, { url: cloudUrl });
    t.teardown(() => second.close());
    await first.provisionAgent('agent-1', 'pw-1');
    const agent = await agentClient(t, port, 'agent-1', 'pw-1');
    const states: boolean[] = [];
    agent.on('message', (topic, payload) => {
      if (topic === CLOUD_STATE_TOPIC) states.push(cloudStateCodec.decode(payload).online === true);
    });
    await agent.subscribeAsync(CLOUD_STATE_TOPIC, { qos: 1 });
    await waitFor('the retained state', () => (states.length > 0 ? true : undefined));
    await second.close();
    await waitFor('online again after the offline', () =>
      states.indexOf(false) >= 0 && states.at(-1) === true ? true : undefined,
    );
    t.same(
      states.slice(states.indexOf(false)),
      [false, true],
      'the stopping instance said offline, the other online',
    );
    const newcomer = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
      clientId: 'agent-1',
      username: 'agent-1',
      password: 'pw-1',
      protocolVersion: 4,
    });
    t.teardown(() => newcomer.endAsync(true));
    const retained = nextMessage(newcomer, CLOUD_STATE_TOPIC);
    await newcomer.subscribeAsync(CLOUD_STATE_TOPIC, { qos: 1 });
    t.match(cloudStateCodec.decode(await retained), { online: true }, 'a later agent finds the cloud online');
    t.ok(first.isRunning());
  },
);
