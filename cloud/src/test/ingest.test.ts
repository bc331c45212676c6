// Agent -> MQTT -> ingest -> SQLite -> HTTP, through the real broker, a real mqtt.js client and real sockets.
import { join } from 'node:path';
import {
  agentPresenceCodec,
  agentTopic,
  hashinsight,
  ipToBytes,
  MAX_MESSAGE_BYTES,
  telemetryAckCodec,
  telemetryBatchCodec,
} from '@hashinsight/protocol';
import { waitFor } from '@hashinsight/testkit';
import SQLite from 'better-sqlite3';
import type { MqttClient } from 'mqtt';
import t, { type Test } from 'tap';
import type { RunningCloud } from '../server.js';
import {
  batchBytes,
  closed,
  connectAgent,
  enrollAgents,
  MINER_ID,
  nextMessage,
  OWNER_EMAIL,
  OWNER_PASSWORD,
  sample,
  startTestCloud,
} from './helpers.js';

/** The cloud with the agents these tests use already enrolled: agent rows come from enrollment only. */
async function cloudWithAgents(t: Test) {
  const started = await startTestCloud(t);
  await enrollAgents(started.config, ['agent-1', 'agent-2', 'agent-3', 'site-a', 'site-b']);
  return started;
}

async function accessToken(cloud: RunningCloud): Promise<string> {
  const response = await fetch(`${cloud.httpUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: OWNER_EMAIL, password: OWNER_PASSWORD }),
  });
  const body = (await response.json()) as { data: { accessToken: string } };
  return body.data.accessToken;
}

async function miners(cloud: RunningCloud, token: string) {
  const response = await fetch(`${cloud.httpUrl}/api/miners`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const body = (await response.json()) as { data: { miners: Record<string, unknown>[] } };
  return body.data.miners;
}

/** An agent that listens for its acks. */
async function agent(t: Test, cloud: RunningCloud, agentId: string) {
  const client = await connectAgent(t, cloud.mqttPort, agentId);
  await client.subscribeAsync(agentTopic(agentId, 'ack'), { qos: 1 });
  return client;
}

/** Publishes a batch and returns the ack it gets. */
async function send(client: MqttClient, agentId: string, payload: Uint8Array) {
  const ack = nextMessage(client, agentTopic(agentId, 'ack'));
  await client.publishAsync(agentTopic(agentId, 'telemetry'), Buffer.from(payload), { qos: 1 });
  return telemetryAckCodec.decode(await ack);
}

t.test('a telemetry batch shows up in /api/miners and is acked after the commit', async (t) => {
  const { cloud, config } = await cloudWithAgents(t);
  const client = await agent(t, cloud, 'agent-1');
  const token = await accessToken(cloud);

  // A second connection to the database file, read at the moment the ack arrives: the rows must already be
  // committed for another connection to see them.
  const reader = new SQLite(join(config.dataDir, 'cloud.sqlite'), { readonly: true });
  t.teardown(() => reader.close());
  const committed = new Promise<unknown>((resolve) => {
    client.on('message', (topic) => {
      if (topic !== agentTopic('agent-1', 'ack')) return;
      resolve(reader.prepare('select hashrate_mhs from miner_latest where miner_id = ?').get(MINER_ID));
    });
  });
  // An agent that is online and polled a minute ago: its miner reads as live (ok), not stale.
  const birth = agentPresenceCodec.encode({ birth: { epoch: 3, hostname: 'edge', agentVersion: '0.1.0' } });
  await client.publishAsync(agentTopic('agent-1', 'state'), Buffer.from(birth), { qos: 1, retain: true });
  const startedAt = Date.now();
  const polledAt = (seq: number) => startedAt - (4 - seq) * 60_000;
  const fresh = [sample(1, { timeMs: polledAt(1) }), sample(2, { timeMs: polledAt(2) })] as const;
  const ack = await send(client, 'agent-1', batchBytes(3, [...fresh, sample(3, { timeMs: polledAt(3) })]));
  t.match(ack, { epoch: 3, upToSeq: 3 });
  t.same(await committed, { hashrate_mhs: 110_566_890 }, 'the row was committed before the ack was sent');

  const [miner, ...others] = await miners(cloud, token);
  t.equal(others.length, 0);
  t.match(miner, {
    id: MINER_ID,
    agentId: 'agent-1',
    ip: '10.0.0.21',
    mac: 'aa:bb:cc:dd:ee:ff',
    serial: 'SN-0001',
    vendor: 'bitmain',
    model: 'Antminer S19 Pro',
    firmware: 'bmminer 1.0.0',
    hostname: 'antminer-21',
    status: 'ok',
    hashrateMhs: 110_566_890,
    hashrateThs: 110.567,
    hashrateAvgMhs: 111_834_850,
    hashrateExpectedMhs: 110_000_000,
    powerW: 3250,
    uptimeS: 50_474,
    lastSampleAt: new Date(polledAt(3)).toISOString(),
  });
  t.notOk('boards' in (miner ?? {}), 'list rows leave boards, fans, pools and errors to the detail');
  const detailResponse = await fetch(`${cloud.httpUrl}/api/miners/agent-1/${MINER_ID}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const detail = ((await detailResponse.json()) as { data: { miner: Record<string, unknown> } }).data.miner;
  t.match(detail, {
    id: MINER_ID,
    hashrateMhs: 110_566_890,
    boards: [{ index: 0, hashrateMhs: 36_855_630, chipTempC: 71.2, boardTempC: 55.1, inletTempC: null }],
    fansRpm: [5400, 5520, 5460, 5580],
    pools: [
      {
        url: 'stratum+tcp://pool.example:3333',
        user: 'site1.w1',
        status: 'alive',
        active: true,
        accepted: 4057,
        rejected: 11,
        stale: 1,
      },
    ],
    errors: [],
  });
  t.notMatch(JSON.stringify(detail), /password/i, 'no pool password field at all');

  // The same seqs again (the agent missed the ack): same ack, nothing applied twice — not even a seq whose
  // sample, if it were applied, would be the newest and replace the latest state.
  const resent = batchBytes(3, [fresh[0], fresh[1], sample(3, { hashrateMhs: 1, timeMs: polledAt(5) })]);
  t.match(await send(client, 'agent-1', resent), { epoch: 3, upToSeq: 3 });
  t.match((await miners(cloud, token))[0], { hashrateMhs: 110_566_890 });
});

t.test('a fresh cloud acks from the oldest unacked seq on and warns about the seqs it skipped', async (t) => {
  const { cloud, logs } = await cloudWithAgents(t);
  const client = await agent(t, cloud, 'agent-1');
  const token = await accessToken(cloud);
  // Seqs 1..500 of epoch 9 were acknowledged by a cloud whose database this one does not have.
  const ack = await send(client, 'agent-1', batchBytes(9, [sample(501), sample(502), sample(503)], 501));
  t.match(ack, { epoch: 9, upToSeq: 503 });
  t.match((await miners(cloud, token))[0], {
    id: MINER_ID,
    lastSampleAt: new Date(sample(503).timeMs).toISOString(),
  });
  const warnings = logs.entries().filter((entry) => /unknown to this cloud/.test(String(entry.msg)));
  t.equal(warnings.length, 1);
  t.match(warnings[0], { level: 40, agentId: 'agent-1', epoch: 9, fromSeq: 1, toSeq: 500 });

  t.match(await send(client, 'agent-1', batchBytes(9, [sample(504)], 504)), { epoch: 9, upToSeq: 504 });
  t.equal(
    logs.entries().filter((entry) => /unknown to this cloud/.test(String(entry.msg))).length,
    1,
    'a batch that follows on skips nothing and warns no more',
  );
});

t.test('two agents reporting the same miner id get a miner each', async (t) => {
  const { cloud } = await cloudWithAgents(t);
  const token = await accessToken(cloud);
  // Two sites, each with a miner at 10.0.0.5 that its agent names by IP.
  const at = (hashrateMhs: number) =>
    sample(1, {
      minerId: 'ip-10.0.0.5',
      identity: { ...sample(1).identity, minerId: 'ip-10.0.0.5', ip: ipToBytes('10.0.0.5') },
      hashrateMhs,
    });
  const siteA = await agent(t, cloud, 'site-a');
  const siteB = await agent(t, cloud, 'site-b');
  t.match(await send(siteB, 'site-b', batchBytes(1, [at(95_000_000)])), { upToSeq: 1 });
  t.match(await send(siteA, 'site-a', batchBytes(1, [at(110_000_000)])), { upToSeq: 1 });
  // A later sample of one must not touch the other.
  const later = sample(2, { minerId: 'ip-10.0.0.5', identity: null, hashrateMhs: 100_000_000 });
  t.match(await send(siteA, 'site-a', batchBytes(1, [later])), { upToSeq: 2 });

  t.same(
    (await miners(cloud, token)).map((miner) => [miner.id, miner.agentId, miner.ip, miner.hashrateMhs]),
    [
      ['ip-10.0.0.5', 'site-a', '10.0.0.5', 100_000_000],
      ['ip-10.0.0.5', 'site-b', '10.0.0.5', 95_000_000],
    ],
  );
});

t.test('bad payloads are logged with a typed code and ingest carries on', async (t) => {
  const { cloud, logs } = await cloudWithAgents(t);
  const client = await agent(t, cloud, 'agent-1');
  const topic = agentTopic('agent-1', 'telemetry');
  const valid = telemetryBatchCodec.encode({ epoch: 1, samples: [sample(1)] });
  const garbage = Buffer.from('this is not protobuf \u0000\u00ff\u00fe', 'latin1');
  const truncated = Buffer.from(valid.subarray(0, valid.length - 7));
  const oversized = Buffer.alloc(MAX_MESSAGE_BYTES + 1, 0x08);
  // Well-formed protobuf that breaks the contract (epoch 0), made with the raw generated encoder.
  const invalid = Buffer.from(
    hashinsight.v1.TelemetryBatch.encode({ epoch: 0, samples: [sample(1)] }).finish(),
  );

  for (const payload of [garbage, truncated, oversized, invalid])
    await client.publishAsync(topic, payload, { qos: 1 });
  t.match(
    await send(client, 'agent-1', valid),
    { epoch: 1, upToSeq: 1 },
    'a valid batch after them still ingests',
  );

  const rejected = logs.entries().filter((entry) => entry.msg === 'message rejected');
  t.same(
    rejected.map((entry) => entry.code),
    ['PROTOCOL_MALFORMED', 'PROTOCOL_MALFORMED', 'PROTOCOL_TOO_LARGE', 'PROTOCOL_INVALID'],
  );
  for (const entry of rejected)
    t.match(entry, { level: 40, agentId: 'agent-1', kind: 'telemetry', reason: String });
  t.equal(rejected.at(-1)?.rejectedTotal, 4, 'counted');
  t.notMatch(logs.text(), /this is not protobuf/, 'payload bytes are never logged');
  t.equal(logs.entries().filter((entry) => entry.level === 50).length, 0, 'no error-level logs');
});

t.test('publishing to another agent topic never reaches ingest', async (t) => {
  const { cloud, logs } = await cloudWithAgents(t);
  const token = await accessToken(cloud);
  const intruder = await connectAgent(t, cloud.mqttPort, 'agent-1');
  const refusal = closed(intruder);
  intruder.publish(agentTopic('agent-2', 'telemetry'), Buffer.from(batchBytes(1, [sample(1)])), { qos: 0 });
  await refusal;

  // A legitimate agent's batch afterwards: once it is acked, the refused one would have been handled too.
  const other = await agent(t, cloud, 'agent-3');
  const otherSample = sample(1, { minerId: 'other-miner', identity: null });
  t.match(await send(other, 'agent-3', batchBytes(1, [otherSample])), { upToSeq: 1 });
  t.same(
    (await miners(cloud, token)).map((miner) => [miner.id, miner.agentId]),
    [['other-miner', 'agent-3']],
  );
  t.match(logs.text(), /mqtt publish refused/);
});

t.test('a birth then a stale death leaves the agent online', async (t) => {
  const { cloud, config } = await cloudWithAgents(t);
  const client = await agent(t, cloud, 'agent-1');
  const state = agentTopic('agent-1', 'state');
  const birth = agentPresenceCodec.encode({ birth: { epoch: 7, hostname: 'edge', agentVersion: '0.1.0' } });
  const staleDeath = agentPresenceCodec.encode({ death: { epoch: 6, clean: false } });
  await client.publishAsync(state, Buffer.from(birth), { qos: 1, retain: true });
  await client.publishAsync(state, Buffer.from(staleDeath), { qos: 1, retain: true });
  // Telemetry goes through the same per-agent queue, so its ack means both presence messages were handled.
  await send(client, 'agent-1', batchBytes(7, [sample(1)]));

  const reader = new SQLite(join(config.dataDir, 'cloud.sqlite'), { readonly: true });
  t.teardown(() => reader.close());
  const row = await waitFor('agent row', () =>
    reader.prepare('select online, epoch, hostname from agent where id = ?').get('agent-1'),
  );
  t.same(row, { online: 1, epoch: 7, hostname: 'edge' });
});
