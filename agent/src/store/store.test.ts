import { join } from 'node:path';
import { hashinsight, MAX_MESSAGE_BYTES, telemetryBatchCodec } from '@hashinsight/protocol';
import { tempDir } from '@hashinsight/testkit';
import Database from 'better-sqlite3';
import t from 'tap';
import { AgentStore } from './index.js';
import { Outbox } from './outbox.js';

const NOW = 1_795_000_000_000;
const sample = (minerId: string, timeMs = NOW) => ({ minerId, timeMs, hashrateMhs: 100_000_000 });

/** A sample as big as a real one: identity, three boards, three pools, four fans, an error. */
const bigSample = (i: number) => ({
  minerId: `aabbccdd${String(i).padStart(4, '0')}`,
  timeMs: NOW + i,
  identity: {
    minerId: `aabbccdd${String(i).padStart(4, '0')}`,
    ip: new Uint8Array([10, 1, i >> 8, i & 255]),
    mac: new Uint8Array([0xaa, 0xbb, 0xcc, 0xdd, i >> 8, i & 255]),
    serial: 'JYZZDGBBCJJBH0C4F',
    vendor: 1,
    model: 'Antminer S19 XP Hydro',
    firmware: 'braiins-os 23.03.3 plus',
    hostname: `miner-row12-rack04-slot${i}`,
  },
  hashrateMhs: 255_123_456,
  hashrateAvgMhs: 254_987_654,
  hashrateExpectedMhs: 255_000_000,
  boards: [0, 1, 2].map((index) => ({
    index,
    hashrateMhs: 85_000_000,
    boardTempDc: 612,
    chipTempDc: 781,
    inletTempDc: 452,
    outletTempDc: 598,
    chips: 110,
    chipsExpected: 110,
    serial: `BOARDSERIAL00${index}`,
  })),
  fanRpm: [5400, 5520, 5460, 5580],
  powerW: 5304,
  pools: [0, 1, 2].map((priority) => ({
    url: `stratum+tcp://pool-${priority}.example-mining-pool.invalid:3333`,
    user: 'hostingcompany.customer42.row12rack04',
    status: 1,
    active: priority === 0,
    priority,
    accepted: 1_234_567,
    rejected: 1234,
    stale: 12,
  })),
  uptimeS: 1_234_567,
  errors: [{ code: 'FAN_SLOW', message: 'fan 3 below 3000 rpm' }],
});

t.test('samples are numbered per epoch and leave only when acknowledged', async (t) => {
  const store = new AgentStore(tempDir(t), () => NOW);
  t.teardown(() => store.close());
  const first = store.currentEpoch();
  t.equal(first, NOW / 1000, 'a new store starts its epochs at the current Unix time in seconds');
  t.match(store.append([sample('a'), sample('b')]), { epoch: first, firstSeq: 1, lastSeq: 2, rejected: [] });
  t.match(store.append([sample('c')]), { firstSeq: 3, lastSeq: 3 });
  const second = store.nextEpoch();
  t.equal(second, first + 1);
  t.match(store.append([sample('d')]), { epoch: second, firstSeq: 1, lastSeq: 1 });
  t.equal(store.backlog(), 4);

  const batch = store.oldestBatch(2);
  t.equal(batch?.epoch, first, 'oldest epoch first');
  t.equal(batch?.oldestUnackedSeq, 1);
  t.same(
    batch?.samples.map((s) => [s.seq, s.minerId]),
    [
      [1, 'a'],
      [2, 'b'],
    ],
  );
  t.equal(store.acknowledge(first, 2), 2);
  t.match(store.oldestBatch(10), { oldestUnackedSeq: 3, samples: [{ minerId: 'c' }] });
  t.equal(store.acknowledge(first, 3), 1);
  t.equal(store.oldestBatch(10)?.epoch, second);
  t.equal(store.acknowledge(second, 1), 1);
  t.equal(store.oldestBatch(10), undefined);
  t.equal(store.acknowledge(second, 1), 0, 'a repeated ack is harmless');
  t.equal(store.db.pragma('synchronous', { simple: true }), 2, 'appends stay synchronous=FULL after an ack');
});

t.test('a reinstalled store under the same agent id uses newer epochs than the old one', async (t) => {
  const old = new AgentStore(tempDir(t), () => NOW);
  t.teardown(() => old.close());
  for (let i = 0; i < 50; i++) old.nextEpoch(); // fifty reconnects
  const reinstalled = new AgentStore(tempDir(t), () => NOW + 3_600_000);
  t.teardown(() => reinstalled.close());
  t.ok(reinstalled.nextEpoch() > old.currentEpoch());
});

t.test(
  'sequence numbers are never reused, even after the rows are acked or the process restarts',
  async (t) => {
    const dir = tempDir(t);
    let store = new AgentStore(dir);
    const id = store.agentId(undefined);
    const epoch = store.currentEpoch();
    store.append([sample('a'), sample('b')]);
    store.acknowledge(epoch, 2);
    t.match(store.append([sample('c')]), { firstSeq: 3 });
    store.close();
    store = new AgentStore(dir);
    t.teardown(() => store.close());
    t.equal(store.agentId(undefined), id, 'the generated agent id is kept');
    t.equal(store.agentId('configured-id'), 'configured-id', 'a configured id wins');
    t.equal(store.currentEpoch(), epoch, 'the epoch is kept, not re-seeded from the clock');
    t.equal(store.oldestBatch(10)?.samples[0]?.seq, 3, 'unacked samples survive a restart');
    t.equal(store.nextEpoch(), epoch + 1);
  },
);

t.test('each append is one packed row; a chunk is whole rows of one epoch within one message', async (t) => {
  const store = new AgentStore(tempDir(t));
  t.teardown(() => store.close());
  const epoch = store.currentEpoch();
  for (let i = 0; i < 5; i++) store.append(Array.from({ length: 500 }, (_, j) => bigSample(i * 500 + j)));
  const stats = store.outboxStats();
  t.match(stats, { samples: 2500, batches: 5, budgetBytes: undefined, gapsPending: 0 });
  t.ok(stats.bytes / stats.samples < 100, `${(stats.bytes / stats.samples).toFixed(1)} bytes a big sample`);
  const chunk = store.readChunk(0, 0, epoch);
  t.match(chunk, { epoch, firstSeq: 1, lastSeq: 2000, samples: 2000, oldestUnackedSeq: 1 });
  t.equal(chunk?.blocks.length, 4, 'cut at the 2,000-sample limit, on a row boundary');
  const bytes = telemetryBatchCodec.encode({
    epoch,
    blocks: (chunk?.blocks ?? []).map((b) => hashinsight.v1.SampleBlock.decode(b)),
  });
  t.ok(bytes.length <= MAX_MESSAGE_BYTES, `${bytes.length} bytes`);
  const decoded = telemetryBatchCodec.decode(bytes);
  t.same(
    decoded.samples.map((s) => s.seq),
    Array.from({ length: 2000 }, (_, i) => i + 1),
  );
  t.equal(decoded.samples[7]?.identity?.hostname, 'miner-row12-rack04-slot7', 'a sample comes back whole');
  t.match(store.readChunk(epoch, 2000, epoch), { firstSeq: 2001, lastSeq: 2500 }, 'the next chunk follows');
  t.equal(store.readChunk(epoch, 2500, epoch), undefined);
  t.match(store.readChunk(0, 0, epoch, 1), { samples: 500 }, 'one row always goes, however small the budget');
  store.append([sample('other-epoch')]);
  store.nextEpoch();
  store.append([sample('next')]);
  t.equal(store.readChunk(0, 0, epoch - 1), undefined, 'nothing in epochs up to the one asked');
  t.match(store.readChunk(epoch, 2500, epoch + 1), { epoch, samples: 1 }, 'a chunk never spans epochs');
});

t.test(
  'the disk budget drops the oldest whole rows, records each drop and reports it until acked',
  async (t) => {
    const dir = tempDir(t);
    const warnings: Array<{ obj: object; msg: string }> = [];
    const logger = { warn: (obj: object, msg: string) => warnings.push({ obj, msg }) };
    let clock = NOW;
    const store = new AgentStore(dir, () => clock, { outboxMaxBytes: 6000, logger });
    t.teardown(() => store.close());
    const epoch = store.currentEpoch();
    const appends: number[] = [];
    for (let i = 0; i < 40; i++) {
      clock += 1000;
      const result = store.append(Array.from({ length: 20 }, (_, j) => bigSample(i * 20 + j)));
      appends.push(result.dropped.length);
    }
    const stats = store.outboxStats();
    t.ok(stats.bytes <= 6000, `held ${stats.bytes} bytes`);
    t.ok(stats.samples < 800, `${stats.samples} samples kept`);
    const gaps = store.pendingGaps();
    t.ok(gaps.length > 0, 'gaps recorded');
    t.equal(gaps[0]?.firstSeq, 1, 'the oldest went first');
    const dropped = gaps.reduce((n, g) => n + g.samples, 0);
    t.equal(dropped + stats.samples, 800, 'every sample is either kept or in a gap: none vanished');
    const lastGap = gaps.at(-1);
    t.equal(store.oldestBatch(1)?.samples[0]?.seq, (lastGap?.lastSeq ?? 0) + 1, 'kept rows follow the gaps');
    t.match(gaps[0], { epoch, reason: 'disk_budget', oldestTimeMs: NOW + 0 });
    const events = store.db
      .prepare("SELECT kind, detail FROM event WHERE kind = 'outbox.gap'")
      .all() as Array<{
      detail: string;
    }>;
    t.equal(events.length, gaps.length, 'a local event for each gap');
    t.match(JSON.parse(events[0]?.detail ?? '{}'), { epoch, firstSeq: 1, budgetBytes: 6000 });
    t.equal(warnings.length, gaps.length, 'and a log line');
    t.match(warnings[0]?.msg, /dropped the oldest samples/);
    t.match(store.outboxStats(), { gapsPending: gaps.length, budgetBytes: 6000 });
    store.gapsReported(gaps.map((g) => g.id));
    t.equal(store.pendingGaps().length, 0, 'reported gaps are done');
    t.equal(
      (store.db.prepare("SELECT count(*) AS n FROM event WHERE kind = 'outbox.gap'").get() as { n: number })
        .n,
      gaps.length,
      'the events stay as history',
    );
  },
);

t.test('an upgraded agent moves its step-1 outbox into packed rows and loses nothing', async (t) => {
  const dir = tempDir(t);
  new AgentStore(dir).close();
  // Write a step-1 backlog by hand: two epochs, a hole left by an earlier ack, 2,500 samples in one run.
  const db = new Database(join(dir, 'agent.sqlite'));
  const insert = db.prepare(
    'INSERT INTO outbox (epoch, seq, miner_id, time_ms, sample) VALUES (?, ?, ?, ?, ?)',
  );
  const legacy: Array<[number, number]> = [];
  for (let seq = 1; seq <= 2500; seq++) legacy.push([7, seq]);
  for (const seq of [4, 5, 9]) legacy.push([8, seq]);
  db.transaction(() => {
    for (const [epoch, seq] of legacy) {
      const s = { ...sample(`m${seq}`, NOW + seq), seq };
      insert.run(epoch, seq, s.minerId, s.timeMs, hashinsight.v1.MinerSample.encode(s).finish());
    }
  })();
  db.close();
  const store = new AgentStore(dir);
  t.teardown(() => store.close());
  t.equal(store.backlog(), legacy.length, 'every sample moved');
  t.equal(
    (store.db.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n,
    0,
    'old table empty',
  );
  const seen: Array<[number, number]> = [];
  let epoch = 0;
  let after = 0;
  for (;;) {
    const chunk = store.readChunk(epoch, after, 100);
    if (!chunk) break;
    for (const s of Outbox.samplesOf(chunk)) {
      seen.push([chunk.epoch, Number(s.seq)]);
      t.equal(s.minerId, `m${s.seq}`);
    }
    epoch = chunk.epoch;
    after = chunk.lastSeq;
  }
  t.same(seen, legacy, 'same epochs and seqs, in order');
  t.equal(store.readChunk(7, 2500, 100)?.oldestUnackedSeq, 4, 'runs break at holes');
});

t.test('a sample the wire contract refuses is reported and does not consume a seq', async (t) => {
  const store = new AgentStore(tempDir(t));
  t.teardown(() => store.close());
  const result = store.append([sample('good'), sample('has space'), sample(''), sample('also-good')]);
  t.equal(result.lastSeq, 2);
  t.same(
    result.rejected.map((r) => r.minerId),
    ['has space', ''],
  );
  t.match(result.rejected[0]?.reason, /minerId/);
  t.same(
    store.oldestBatch(10)?.samples.map((s) => [s.seq, s.minerId]),
    [
      [1, 'good'],
      [2, 'also-good'],
    ],
  );
});

t.test('the store file is a healthy WAL database', async (t) => {
  const dir = tempDir(t);
  const store = new AgentStore(dir);
  store.append(Array.from({ length: 1000 }, (_, i) => sample(`m${i}`)));
  store.close();
  const db = new Database(join(dir, 'agent.sqlite'), { readonly: true });
  t.teardown(() => db.close());
  t.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  t.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  t.equal((db.prepare('SELECT sum(samples) AS n FROM outbox_batch').get() as { n: number }).n, 1000);
});

t.test('a store written by a newer agent is refused rather than misread', async (t) => {
  const dir = tempDir(t);
  new AgentStore(dir).close();
  const db = new Database(join(dir, 'agent.sqlite'));
  db.pragma('user_version = 99');
  db.close();
  t.throws(() => new AgentStore(dir), /newer than this agent knows/);
});
