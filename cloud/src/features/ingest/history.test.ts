import { agentTopic, telemetryBatchCodec } from '@hashinsight/protocol';
import t from 'tap';
import type { Db } from '../../db/index.js';
import { testEachDialect } from '../../test/databases.js';
import { buildTestApp, MINER_ID, sample } from '../../test/helpers.js';
import { ingestMetrics } from './metrics.js';
import { ingestTelemetry } from './service.js';

// The raw history the ingest writes beside the latest state, and the counters of what it refused.

const NOW = 1_795_000_500_000;

async function seedAgent(db: Db, agentId: string): Promise<void> {
  const suffix = agentId;
  await db
    .insertInto('tenant')
    .values({ id: `t-${suffix}`, name: `T ${suffix}`, created_at: NOW })
    .execute();
  await db
    .insertInto('site')
    .values({
      id: `s-${suffix}`,
      tenant_id: `t-${suffix}`,
      name: 'S',
      location: '',
      timezone: 'UTC',
      created_at: NOW,
    })
    .execute();
  await db
    .insertInto('agent')
    .values({
      id: agentId,
      tenant_id: `t-${suffix}`,
      site_id: `s-${suffix}`,
      epoch: 0,
      online: 0,
      hostname: '',
      agent_version: '',
      last_seen_at: null,
      created_at: NOW,
    })
    .execute();
}

const samples = (db: Db) => db.selectFrom('miner_sample').selectAll().orderBy('time_ms').execute();
const latest = (db: Db) => db.selectFrom('miner_latest').selectAll().executeTakeFirstOrThrow();

testEachDialect('each new sample becomes one raw row in the batch transaction', async (t, db) => {
  await seedAgent(db, 'agent-1');
  const hot = sample(2, {
    boards: [
      { index: 0, hashrateMhs: 1, chipTempDc: 712, boardTempDc: 551 },
      { index: 1, hashrateMhs: 1, chipTempDc: 745, boardTempDc: 540 },
      { index: 2, hashrateMhs: 1 },
    ],
    pools: [
      { url: 'a', user: 'u', accepted: 10, rejected: 1 },
      { url: 'b', user: 'u', accepted: 5, rejected: 2 },
    ],
    powerW: null,
    fanRpm: [],
  });
  await ingestTelemetry(db, 'agent-1', { epoch: 1, samples: [sample(1), hot, sample(3)] }, NOW);
  const rows = await samples(db);
  t.equal(rows.length, 3);
  t.same(rows[0], {
    agent_id: 'agent-1',
    miner_id: MINER_ID,
    time_ms: sample(1).timeMs,
    status: 'ok',
    hashrate_mhs: 110_566_890,
    hashrate_avg_mhs: 111_834_850,
    hashrate_expected_mhs: 110_000_000,
    power_w: 3250,
    chip_temp_max_dc: 712,
    board_temp_max_dc: 551,
    fan_min_rpm: 5400,
    fan_max_rpm: 5580,
    accepted: 4057,
    rejected: 11,
  });
  t.match(rows[1], {
    chip_temp_max_dc: 745,
    board_temp_max_dc: 551,
    power_w: null,
    fan_min_rpm: null,
    fan_max_rpm: null,
    accepted: 15,
    rejected: 3,
  });
  // A replay (duplicate seqs) stores nothing twice.
  await ingestTelemetry(db, 'agent-1', { epoch: 1, samples: [sample(2), sample(3)] }, NOW);
  t.equal((await samples(db)).length, 3);
});

testEachDialect('a historical backfill is stored but never replaces the latest state', async (t, db) => {
  await seedAgent(db, 'agent-1');
  const liveTime = NOW - 30_000;
  await ingestTelemetry(
    db,
    'agent-1',
    { epoch: 2, samples: [sample(1, { timeMs: liveTime, hashrateMhs: 99 })] },
    NOW,
  );
  // The backlog of an earlier epoch, polled hours ago, arrives after the live sample.
  const backlog = [1, 2, 3].map((seq) =>
    sample(seq, { timeMs: NOW - 3 * 3_600_000 + seq * 60_000, hashrateMhs: seq }),
  );
  const outcome = await ingestTelemetry(db, 'agent-1', { epoch: 1, historical: true, samples: backlog }, NOW);
  t.match(outcome, { epoch: 1, upToSeq: 3, applied: 3 });
  t.match(await latest(db), { time_ms: liveTime, hashrate_mhs: 99 }, 'latest keeps the live sample');
  t.same(
    (await samples(db)).map((row) => row.hashrate_mhs),
    [1, 2, 3, 99],
    'the backlog is in the history',
  );
  const marks = await db.selectFrom('telemetry_rollup_dirty').select('hour_ms').execute();
  t.ok(marks.length >= 1, 'its hours are marked for the rollup jobs');
  t.match(
    await db.selectFrom('miner').selectAll().executeTakeFirstOrThrow(),
    { first_seen_at: backlog[0]?.timeMs, last_seen_at: liveTime },
    'first seen widens back, last seen stays',
  );
});

testEachDialect(
  'many miners in one batch: one row each in miner, miner_latest and history',
  async (t, db) => {
    await seedAgent(db, 'agent-1');
    const batch = Array.from({ length: 2500 }, (_, i) =>
      sample(i + 1, {
        minerId: `m-${i % 1250}`,
        identity: i % 2 ? null : undefined,
        timeMs: NOW - 5000 + Math.floor(i / 1250),
      }),
    ).map((s) =>
      s.identity === undefined ? { ...s, identity: { ...sample(1).identity, minerId: s.minerId } } : s,
    );
    const outcome = await ingestTelemetry(db, 'agent-1', { epoch: 1, samples: batch }, NOW);
    t.match(outcome, { upToSeq: 2500, applied: 2500 });
    const count = async (table: 'miner' | 'miner_latest' | 'miner_sample') =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    t.equal(await count('miner'), 1250);
    t.equal(await count('miner_latest'), 1250);
    t.equal(await count('miner_sample'), 2500);
    t.match(await db.selectFrom('miner').selectAll().where('id', '=', 'm-2').executeTakeFirstOrThrow(), {
      tenant_id: 't-agent-1',
      site_id: 's-agent-1',
      model: 'Antminer S19 Pro',
    });
  },
);

const settle = async (until: () => boolean) => {
  for (let i = 0; i < 200 && !until(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
};

t.test('bad telemetry payloads are rejected and counted; ingest carries on', async (t) => {
  // The plugin path (decode, store, count) on the real embedded broker; counters are process-wide deltas.
  const { broker, db: appDb } = await buildTestApp(t);
  await seedAgent(appDb, 'agent-9');
  const topic = agentTopic('agent-9', 'telemetry');
  const before = { rejected: ingestMetrics.rejectedTotal, stored: ingestMetrics.batchesStored };
  await broker.publish(topic, Buffer.from('not protobuf \u00ff', 'latin1'), { qos: 1, retain: false });
  await broker.publish(topic, new Uint8Array([0x08, 0x00]), { qos: 1, retain: false }); // epoch 0, no samples
  await broker.publish(topic, telemetryBatchCodec.encode({ epoch: 1, samples: [sample(1)] }), {
    qos: 1,
    retain: false,
  });
  await settle(() => ingestMetrics.batchesStored > before.stored);
  t.equal(ingestMetrics.rejectedTotal - before.rejected, 2, 'both bad payloads counted');
  t.equal(ingestMetrics.batchesStored - before.stored, 1, 'the valid batch after them is stored');
  const codes = [...ingestMetrics.rejected.values()].filter((entry) => entry.kind === 'telemetry');
  t.same(codes.map((entry) => entry.code).sort(), ['PROTOCOL_INVALID', 'PROTOCOL_MALFORMED']);
});
