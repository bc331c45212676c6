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
import { CloudSync, type CloudSyncOptions } from './index.js';

const logger = pino({ level: 'silent' });
const sample = (minerId: string) => ({ minerId, timeMs: 1_795_000_000_000, hashrateMhs: 95_000_000 });

/**
 * Plays the cloud on a real broker like the real ingest does: a mark per epoch moved through contiguous seqs,
 * lifted by oldestUnackedSeq and by gaps; duplicates counted; the ack names the mark, optionally late.
 */
function standInCloud(aedes: Aedes, agentId: string, { ack = true, ackDelayMs = 0 } = {}) {
  const received: Array<{ epoch: number; seq: number; minerId: string; historical: boolean }> = [];
  const presence: hashinsight.v1.AgentPresence[] = [];
  const gaps: hashinsight.v1.ITelemetryGap[] = [];
  /** Each batch's backlogSamples, in arrival order (null when the batch did not say). */
  const backlogs: (number | null)[] = [];
  const marks = new Map<number, number>();
  const state = { ack, ackDelayMs, batches: 0, duplicates: 0 };
  aedes.subscribe(
    agentTopic(agentId, 'telemetry'),
    (packet, done) => {
      const batch = telemetryBatchCodec.decode(packet.payload as Buffer);
      state.batches += 1;
      backlogs.push(batch.backlogSamples ?? null);
      for (const gap of batch.gaps) {
        gaps.push(gap);
        marks.set(Number(gap.epoch), Math.max(marks.get(Number(gap.epoch)) ?? 0, Number(gap.lastSeq)));
      }
      let mark = Math.max(marks.get(batch.epoch) ?? 0, Number(batch.oldestUnackedSeq) - 1);
      for (const s of batch.samples) {
        if (Number(s.seq) <= mark) {
          state.duplicates += 1;
          continue;
        }
        received.push({
          epoch: batch.epoch,
          seq: Number(s.seq),
          minerId: String(s.minerId),
          historical: batch.historical,
        });
        if (Number(s.seq) === mark + 1) mark += 1;
      }
      marks.set(batch.epoch, mark);
      const send = () => {
        const payload = Buffer.from(telemetryAckCodec.encode({ epoch: batch.epoch, upToSeq: mark }));
        aedes.publish(
          { cmd: 'publish', topic: agentTopic(agentId, 'ack'), payload, qos: 1, retain: false, dup: false },
          () => {},
        );
      };
      if (state.ack) {
        if (state.ackDelayMs > 0) setTimeout(send, state.ackDelayMs);
        else send();
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
  return { received, presence, gaps, backlogs, marks, state };
}

async function setup(t: Test) {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const store = new AgentStore(tempDir(t));
  t.teardown(() => store.close());
  // Samples appended before the first connection carry this epoch; each connection opens the next one.
  return { broker, store, offline: store.currentEpoch() };
}

function startSync(
  t: Test,
  store: AgentStore,
  agentId: string,
  url: string,
  ackTimeoutMs = 10_000,
  extra: Partial<CloudSyncOptions> = {},
) {
  const sync = new CloudSync(
    store,
    { agentId, mqttUrl: url, agentVersion: '0.0.0-test', hostname: 'test-box', ackTimeoutMs, ...extra },
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
  await waitFor('two deliveries', () => (cloud.state.batches >= 2 ? true : undefined));
  t.equal(store.backlog(), 2, 'PUBACKs alone delete nothing');
  t.equal(cloud.state.duplicates, 2, 'the unacked batch was sent again');
  cloud.state.ack = true;
  await waitFor('drained after acks resume', () => (store.backlog() === 0 ? true : undefined));
});

t.test('every batch says how many samples wait in the outbox as it leaves', async (t) => {
  const agentId = 'agent-sync-backlog';
  const { broker, store } = await setup(t);
  store.append(['a', 'b', 'c'].map(sample));
  const cloud = standInCloud(broker.aedes, agentId, { ack: false });
  const sync = startSync(t, store, agentId, broker.url, 60_000);
  await waitFor('first batch', () => (cloud.state.batches >= 1 ? true : undefined));
  t.equal(cloud.backlogs[0], 3, 'the unacked batch counts itself');
  await sync.stop();
  cloud.state.ack = true;
  const again = startSync(t, store, agentId, broker.url, 60_000);
  await waitFor('drained', () => (store.backlog() === 0 ? true : undefined));
  store.append([sample('live')]);
  again.kick();
  await waitFor('live sample', () => cloud.received.find((r) => r.minerId === 'live'));
  t.equal(cloud.backlogs.at(-1), 1, 'a live figure: what was acked is no longer counted');
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
    { agentId, mqttUrl: broker.url, agentVersion: '0.0.0-test', hostname: 'test-box' },
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

/** `rows` appends of `size` samples each, named `${prefix}-${row}-${i}`. */
function appendRows(store: AgentStore, prefix: string, rows: number, size: number) {
  for (let r = 0; r < rows; r++) {
    store.append(Array.from({ length: size }, (_, i) => sample(`${prefix}-${r}-${i}`)));
  }
}

t.test('several batches are in flight at once, never more than the window', async (t) => {
  const agentId = 'agent-sync-window';
  const { broker, store } = await setup(t);
  appendRows(store, 'b', 10, 1000); // a batch carries at most 2,000 samples: five batches
  const cloud = standInCloud(broker.aedes, agentId, { ack: false });
  const sync = startSync(t, store, agentId, broker.url, 60_000, { window: 4 });
  await waitFor('window full', () => (cloud.state.batches >= 4 ? true : undefined));
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.equal(cloud.state.batches, 4, 'four batches sent without an ack, and no fifth');
  t.equal(sync.stats().inFlight, 4);
  t.equal(store.backlog(), 10_000, 'nothing deleted yet');
  cloud.state.ack = true;
  // Ack what arrived so far, as the cloud would have.
  const mark = cloud.marks.get(cloud.received[0]?.epoch ?? 0) ?? 0;
  await new Promise<void>((resolve) =>
    broker.aedes.publish(
      {
        cmd: 'publish',
        topic: agentTopic(agentId, 'ack'),
        payload: Buffer.from(
          telemetryAckCodec.encode({ epoch: cloud.received[0]?.epoch ?? 1, upToSeq: mark }),
        ),
        qos: 1,
        retain: false,
        dup: false,
      },
      () => resolve(),
    ),
  );
  await waitFor('drained', () => (store.backlog() === 0 ? true : undefined));
  t.same(
    cloud.received.map((r) => r.seq),
    Array.from({ length: 10_000 }, (_, i) => i + 1),
    'every sample once, in order',
  );
  t.equal(sync.stats().inFlight, 0);
});

t.test('live samples flow while an older backlog replays oldest first as historical', async (t) => {
  const agentId = 'agent-sync-lanes';
  const { broker, store, offline } = await setup(t);
  appendRows(store, 'old', 8, 1000); // one epoch of backlog, four batches
  store.nextEpoch();
  appendRows(store, 'mid', 2, 1000); // a second backlog epoch
  const cloud = standInCloud(broker.aedes, agentId, { ackDelayMs: 50 });
  const sync = startSync(t, store, agentId, broker.url, 10_000, { window: 1 });
  await waitFor('connected', () => (sync.isConnected ? true : undefined));
  await waitFor('backlog started', () => (cloud.received.length > 0 ? true : undefined));
  store.append([sample('live-1')]);
  sync.kick();
  await waitFor('drained', () => (store.backlog() === 0 ? true : undefined));
  const live = cloud.received.findIndex((r) => r.minerId === 'live-1');
  const backlog = cloud.received.filter((r) => r.minerId !== 'live-1');
  t.ok(
    live > 0 && live < cloud.received.length - 10,
    `the live sample came at ${live} of ${cloud.received.length}, mid-backlog`,
  );
  t.match(cloud.received[live], { epoch: offline + 2, historical: false });
  t.ok(
    backlog.every((r) => r.historical),
    'backlog marked historical',
  );
  t.same(
    backlog.map((r) => [r.epoch, r.seq]),
    [
      ...Array.from({ length: 8000 }, (_, i) => [offline, i + 1]),
      ...Array.from({ length: 2000 }, (_, i) => [offline + 1, i + 1]),
    ],
    'oldest epoch first, each in order, each once',
  );
});

t.test('the backlog waits while the cloud says it is offline; live samples do not', async (t) => {
  const agentId = 'agent-sync-gate';
  const { broker, store } = await setup(t);
  const publishState = (online: boolean) =>
    new Promise<void>((resolve) =>
      broker.aedes.publish(
        {
          cmd: 'publish',
          topic: CLOUD_STATE_TOPIC,
          payload: Buffer.from(cloudStateCodec.encode({ online, atMs: Date.now() })),
          qos: 1,
          retain: true,
          dup: false,
        },
        () => resolve(),
      ),
    );
  t.teardown(
    () =>
      new Promise<void>((resolve) =>
        broker.aedes.publish(
          {
            cmd: 'publish',
            topic: CLOUD_STATE_TOPIC,
            payload: Buffer.alloc(0),
            qos: 1,
            retain: true,
            dup: false,
          },
          () => resolve(),
        ),
      ),
  );
  await publishState(false);
  appendRows(store, 'old', 3, 2);
  const cloud = standInCloud(broker.aedes, agentId);
  const sync = startSync(t, store, agentId, broker.url);
  await waitFor('connected', () => (sync.isConnected ? true : undefined));
  await waitFor('state seen', () => (sync.stats().cloudOnline === false ? true : undefined));
  store.append([sample('live')]);
  sync.kick();
  await waitFor('live sample', () => cloud.received.find((r) => r.minerId === 'live'));
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.same(
    cloud.received.map((r) => r.minerId),
    ['live'],
    'no backlog sent while the cloud is offline',
  );
  await publishState(true);
  await waitFor('drained', () => (store.backlog() === 0 ? true : undefined));
  t.equal(cloud.received.length, 7);
});

t.test(
  'samples dropped at the disk budget reach the cloud as gaps, once, and unblock its mark',
  async (t) => {
    const agentId = 'agent-sync-gaps';
    const broker = await startTestBroker();
    t.teardown(() => broker.close());
    const store = new AgentStore(tempDir(t), Date.now, { outboxMaxBytes: 3000 });
    t.teardown(() => store.close());
    const epoch = store.currentEpoch();
    for (let r = 0; r < 60; r++) {
      store.append(
        Array.from({ length: 5 }, (_, i) => ({
          ...sample(`m${r}-${i}-${'x'.repeat(r % 40)}`),
          timeMs: 1_795_000_000_000 + r * 1000 + i * 7,
          hashrateMhs: r * 7919 + i,
        })),
      );
    }
    const gaps = store.pendingGaps();
    t.ok(gaps.length > 0, `${gaps.length} gap(s), ${store.outboxStats().samples} samples kept`);
    const cloud = standInCloud(broker.aedes, agentId);
    startSync(t, store, agentId, broker.url);
    await waitFor('drained', () => (store.backlog() === 0 ? true : undefined));
    await waitFor('gaps acknowledged', () => (store.outboxStats().gapsPending === 0 ? true : undefined));
    t.same(
      cloud.gaps.map((g) => [g.epoch, Number(g.firstSeq), Number(g.lastSeq)]),
      gaps.map((g) => [g.epoch, g.firstSeq, g.lastSeq]),
      'each gap reported once',
    );
    t.equal(cloud.marks.get(epoch), 300, 'the cloud’s mark reached the last seq: nothing blocks later acks');
    const gapped = gaps.reduce((n, g) => n + g.samples, 0);
    t.equal(cloud.received.length + gapped, 300, 'received + reported as dropped = appended');
  },
);

t.test('the upload cap paces telemetry', async (t) => {
  const agentId = 'agent-sync-cap';
  const { broker, store } = await setup(t);
  // Incompressible enough: every sample has its own long miner id.
  for (let r = 0; r < 20; r++) {
    store.append(
      Array.from({ length: 50 }, (_, i) => ({
        ...sample(`${r}-${i}-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`),
      })),
    );
  }
  const bytes = store.outboxStats().bytes;
  const rate = Math.ceil(bytes / 2); // about 2 s of upload, the first second's worth at once
  standInCloud(broker.aedes, agentId);
  const started = Date.now();
  const sync = startSync(t, store, agentId, broker.url, 10_000, { uploadMaxBytesPerSecond: rate });
  await waitFor('drained', () => (store.backlog() === 0 ? true : undefined), { timeoutMs: 20_000 });
  const elapsed = Date.now() - started;
  t.ok(elapsed >= 900, `${sync.stats().bytesSent} bytes at ${rate} B/s took ${elapsed} ms`);
});

t.test('gaps with no samples left to carry them go in a batch of their own', async (t) => {
  const agentId = 'agent-sync-gaps-only';
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const store = new AgentStore(tempDir(t), Date.now, { outboxMaxBytes: 300 });
  t.teardown(() => store.close());
  const epoch = store.currentEpoch();
  for (let r = 0; r < 20; r++) {
    store.append(
      Array.from({ length: 5 }, (_, i) => ({
        ...sample(`g${r}-${i}-${'y'.repeat(r)}`),
        hashrateMhs: r * 31 + i,
      })),
    );
  }
  const gaps = store.pendingGaps();
  t.ok(gaps.length > 0);
  store.acknowledge(epoch, 100); // the rows went some other way; only the gap reports remain
  t.equal(store.backlog(), 0);
  const cloud = standInCloud(broker.aedes, agentId);
  startSync(t, store, agentId, broker.url);
  await waitFor('gaps acknowledged', () => (store.outboxStats().gapsPending === 0 ? true : undefined));
  t.equal(cloud.received.length, 0, 'no samples');
  t.equal(cloud.gaps.length, gaps.length, 'the gaps arrived');
  t.equal(cloud.marks.get(epoch), gaps.at(-1)?.lastSeq, 'and moved the mark');
});
