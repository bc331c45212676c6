import {
  agentPresenceCodec,
  agentTopic,
  CLOUD_STATE_TOPIC,
  cloudStateCodec,
  type hashinsight,
  telemetryAckCodec,
  telemetryBatchCodec,
} from '@hashinsight/protocol';
import { serviceUrl, startTestBroker, tempDir, waitFor } from '@hashinsight/testkit';
import type { Aedes } from 'aedes';
import mqtt from 'mqtt';
import pino from 'pino';
import t, { type Test } from 'tap';
import { AgentStore } from '../store/index.js';
import { CloudSync } from './index.js';

const logger = pino({ level: 'silent' });
const sample = (minerId: string) => ({ minerId, timeMs: 1_795_000_000_000, hashrateMhs: 95_000_000 });

/** Plays the cloud on a real broker: stores every sample it receives and acks after "committing". */
function standInCloud(aedes: Aedes, agentId: string, { ack = true } = {}) {
  const received: Array<{ epoch: number; seq: number; minerId: string; historical: boolean }> = [];
  const presence: hashinsight.v1.AgentPresence[] = [];
  const state = { ack };
  aedes.subscribe(
    agentTopic(agentId, 'telemetry'),
    (packet, done) => {
      const batch = telemetryBatchCodec.decode(packet.payload as Buffer);
      for (const s of batch.samples) {
        received.push({
          epoch: batch.epoch,
          seq: Number(s.seq),
          minerId: String(s.minerId),
          historical: batch.historical,
        });
      }
      const upToSeq = batch.samples.at(-1)?.seq ?? 0;
      if (state.ack) {
        const payload = Buffer.from(telemetryAckCodec.encode({ epoch: batch.epoch, upToSeq }));
        aedes.publish(
          { cmd: 'publish', topic: agentTopic(agentId, 'ack'), payload, qos: 1, retain: false, dup: false },
          () => {},
        );
      }
      done();
    },
    () => {},
  );
  aedes.subscribe(
    agentTopic(agentId, 'state'),
    (packet, done) => {
      presence.push(agentPresenceCodec.decode(packet.payload as Buffer));
      done();
    },
    () => {},
  );
  return { received, presence, state };
}

async function setup(t: Test) {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const store = new AgentStore(tempDir(t));
  t.teardown(() => store.close());
  // Samples appended before the first connection carry this epoch; each connection opens the next one.
  return { broker, store, offline: store.currentEpoch() };
}

function startSync(t: Test, store: AgentStore, agentId: string, url: string, ackTimeoutMs = 10_000) {
  const sync = new CloudSync(
    store,
    { agentId, mqttUrl: url, batchSize: 3, agentVersion: '0.0.0-test', hostname: 'test-box', ackTimeoutMs },
    logger,
  );
  sync.start();
  t.teardown(() => sync.stop());
  return sync;
}

t.test('samples written offline reach the cloud in order and leave the outbox only on its ack', async (t) => {
  const agentId = 'agent-sync-1';
  const { broker, store, offline } = await setup(t);
  store.append(['a', 'b', 'c', 'd', 'e', 'f', 'g'].map(sample));
  const cloud = standInCloud(broker.aedes, agentId);
  const sync = startSync(t, store, agentId, broker.url);
  await waitFor('outbox drained', () => (store.backlog() === 0 ? true : undefined));
  t.same(
    cloud.received.map((r) => r.minerId),
    ['a', 'b', 'c', 'd', 'e', 'f', 'g'],
  );
  t.same(
    cloud.received.map((r) => r.seq),
    [1, 2, 3, 4, 5, 6, 7],
  );
  t.ok(
    cloud.received.every((r) => r.epoch === offline && r.historical),
    'samples of the offline epoch are historical',
  );
  t.equal(cloud.presence[0]?.birth?.epoch, offline + 1, 'the connection opened the next epoch');
  t.equal(Number(cloud.presence[0]?.birth?.backlogSamples), 7);

  store.append([sample('live')]);
  sync.kick();
  await waitFor('live sample', () => cloud.received.find((r) => r.minerId === 'live'));
  t.match(cloud.received.at(-1), { epoch: offline + 1, seq: 1, historical: false });
});

t.test('without an ack nothing is deleted, and the batch is sent again', async (t) => {
  const agentId = 'agent-sync-2';
  const { broker, store } = await setup(t);
  store.append(['a', 'b'].map(sample));
  const cloud = standInCloud(broker.aedes, agentId, { ack: false });
  startSync(t, store, agentId, broker.url, 300);
  await waitFor('two deliveries', () => (cloud.received.length >= 4 ? true : undefined));
  t.equal(store.backlog(), 2, 'PUBACKs alone delete nothing');
  t.same(
    cloud.received.slice(0, 4).map((r) => r.seq),
    [1, 2, 1, 2],
    'the unacked batch was resent',
  );
  cloud.state.ack = true;
  await waitFor('drained after acks resume', () => (store.backlog() === 0 ? true : undefined));
});

t.test('a dropped connection brings a death, a reconnect with a new epoch, and no loss', async (t) => {
  const agentId = 'agent-sync-3';
  const { broker, store, offline } = await setup(t);
  const cloud = standInCloud(broker.aedes, agentId);
  const sync = startSync(t, store, agentId, broker.url);
  await waitFor('connected', () => (sync.isConnected ? true : undefined));
  store.append([sample('before')]);
  sync.kick();
  await waitFor('first sample', () => cloud.received.find((r) => r.minerId === 'before'));

  broker.dropClients();
  await waitFor('last will', () => cloud.presence.find((p) => p.death));
  t.match(
    cloud.presence.find((p) => p.death)?.death,
    { epoch: offline + 1, clean: false },
    'the will names the dead epoch',
  );
  store.append([sample('during-outage')]);
  await waitFor('rebirth', () => cloud.presence.find((p) => p.birth?.epoch === offline + 2));
  await waitFor('outage sample delivered', () => cloud.received.find((r) => r.minerId === 'during-outage'));
  await waitFor('drained', () => (store.backlog() === 0 ? true : undefined));
  t.same(
    cloud.received.map((r) => r.minerId),
    ['before', 'during-outage'],
    'each sample arrived, in order',
  );

  await sync.stop();
  await waitFor('clean death', () => cloud.presence.find((p) => p.death?.clean));
  t.equal(cloud.presence.find((p) => p.death?.clean)?.death?.epoch, offline + 2);
});

t.test('hostile acks are ignored without losing data', async (t) => {
  const agentId = 'agent-sync-4';
  const { broker, store, offline } = await setup(t);
  store.append(['a'].map(sample));
  standInCloud(broker.aedes, agentId, { ack: false });
  const sync = startSync(t, store, agentId, broker.url, 60_000);
  await waitFor('connected', () => (sync.isConnected ? true : undefined));
  const publish = (payload: Buffer) =>
    new Promise<void>((resolve) =>
      broker.aedes.publish(
        { cmd: 'publish', topic: agentTopic(agentId, 'ack'), payload, qos: 1, retain: false, dup: false },
        () => resolve(),
      ),
    );
  await publish(Buffer.from('definitely not protobuf \u0000\u00ff'));
  await publish(Buffer.alloc(300 * 1024));
  await publish(Buffer.from(telemetryAckCodec.encode({ epoch: offline + 99, upToSeq: 1 })));
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.ok(sync.isConnected, 'still connected');
  t.equal(store.backlog(), 1, 'nothing deleted by bad or foreign acks');
  await publish(Buffer.from(telemetryAckCodec.encode({ epoch: offline, upToSeq: 1 })));
  await waitFor('real ack applied', () => (store.backlog() === 0 ? true : undefined));
});

const mosquitto = serviceUrl('MQTT_URL');
t.test('drains through an external broker (Mosquitto)', { skip: mosquitto.skip }, async (t) => {
  const agentId = `agent-sync-mosq-${process.pid}`;
  const store = new AgentStore(tempDir(t));
  t.teardown(() => store.close());
  store.append(['a', 'b', 'c', 'd'].map(sample));
  // The stand-in cloud is an ordinary MQTT client here.
  const cloud = await mqtt.connectAsync(mosquitto.url as string, { clientId: `cloud-${process.pid}` });
  t.teardown(() => cloud.endAsync());
  const received: number[] = [];
  cloud.on('message', (topic, payload) => {
    if (!topic.endsWith('/telemetry')) return;
    const batch = telemetryBatchCodec.decode(payload);
    received.push(...batch.samples.map((s) => Number(s.seq)));
    const ack = telemetryAckCodec.encode({ epoch: batch.epoch, upToSeq: batch.samples.at(-1)?.seq ?? 0 });
    void cloud.publishAsync(agentTopic(agentId, 'ack'), Buffer.from(ack), { qos: 1 });
  });
  await cloud.subscribeAsync(agentTopic(agentId, 'telemetry'), { qos: 1 });
  const sync = startSync(t, store, agentId, mosquitto.url as string);
  await waitFor('drained via mosquitto', () => (store.backlog() === 0 ? true : undefined));
  t.same(received, [1, 2, 3, 4]);
  // Leave no retained presence behind on the shared broker: say goodbye first, then clear it.
  await sync.stop();
  await cloud.publishAsync(agentTopic(agentId, 'state'), Buffer.alloc(0), { retain: true, qos: 1 });
});

t.test('other modules publish, receive and hear of connections through the sync', async (t) => {
  const agentId = 'agent-sync-5';
  const { broker, store, offline } = await setup(t);
  const seen: Array<{ topic: string; payload: string }> = [];
  broker.aedes.subscribe(
    agentTopic(agentId, 'discovery'),
    (packet, done) => {
      seen.push({ topic: packet.topic, payload: String(packet.payload) });
      done();
    },
    () => {},
  );
  const sync = new CloudSync(
    store,
    { agentId, mqttUrl: broker.url, batchSize: 3, agentVersion: '0.0.0-test', hostname: 'test-box' },
    logger,
  );
  t.teardown(() => sync.stop());
  t.equal(await sync.publish('discovery', Buffer.from('early')), false, 'not connected: false, nothing sent');
  const commands: string[] = [];
  sync.onMessage('command', (payload) => commands.push(String(payload)));
  let connections = 0;
  sync.onConnected(() => {
    connections += 1;
  });
  t.match(sync.stats(), { connected: false, epoch: 0, lastAckAtMs: undefined, cloudOnline: undefined });
  sync.start();
  await waitFor('connected', () => (connections === 1 ? true : undefined));
  t.equal(await sync.publish('discovery', Buffer.from('report')), true, 'true after the PUBACK');
  await waitFor('discovery seen', () => seen.find((s) => s.payload === 'report'));

  const publish = (topic: string, payload: Buffer, retain = false) =>
    new Promise<void>((resolve) =>
      broker.aedes.publish({ cmd: 'publish', topic, payload, qos: 1, retain, dup: false }, () => resolve()),
    );
  await publish(agentTopic(agentId, 'command'), Buffer.from('reboot'));
  await publish(agentTopic('agent-someone-else', 'command'), Buffer.from('not ours'));
  await waitFor('command delivered', () => (commands.length > 0 ? true : undefined));
  t.same(commands, ['reboot'], 'only this agent’s command topic reaches the handler');

  // A handler registered while connected subscribes at once; the cloud state is followed.
  const credentials: string[] = [];
  sync.onMessage('credential', (payload) => credentials.push(String(payload)));
  await new Promise((resolve) => setTimeout(resolve, 100));
  await publish(agentTopic(agentId, 'credential'), Buffer.from('sealed'));
  await publish(CLOUD_STATE_TOPIC, Buffer.from(cloudStateCodec.encode({ online: true, atMs: 1 })), true);
  await waitFor('credential delivered', () => (credentials.length > 0 ? true : undefined));
  await waitFor('cloud state seen', () => (sync.stats().cloudOnline === true ? true : undefined));

  store.append([sample('a')]);
  standInCloud(broker.aedes, agentId);
  sync.kick();
  await waitFor('acked', () => (sync.stats().lastAckAtMs === undefined ? undefined : true));
  t.match(sync.stats(), { connected: true, epoch: offline + 1, cloudOnline: true });

  broker.dropClients();
  await waitFor('reconnected', () => (connections === 2 ? true : undefined));
  t.equal(sync.stats().epoch, offline + 2);
  await publish(agentTopic(agentId, 'command'), Buffer.from('after reconnect'));
  await waitFor('resubscribed on reconnect', () => (commands.length === 2 ? true : undefined));
  await publish(CLOUD_STATE_TOPIC, Buffer.alloc(0), true); // clear the retained state for later tests
});
