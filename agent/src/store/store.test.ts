import { join } from 'node:path';
import { MAX_MESSAGE_BYTES, telemetryBatchCodec } from '@hashinsight/protocol';
import { tempDir } from '@hashinsight/testkit';
import Database from 'better-sqlite3';
import t from 'tap';
import { AgentStore } from './index.js';

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

t.test(
  'a batch of realistic samples is cut by bytes and always encodes under the message limit',
  async (t) => {
    const store = new AgentStore(tempDir(t));
    t.teardown(() => store.close());
    store.append(Array.from({ length: 2000 }, (_, i) => bigSample(i)));
    const batch = store.oldestBatch(2000);
    const count = batch?.samples.length ?? 0;
    t.ok(count > 100 && count < 2000, `cut at ${count} samples`);
    const bytes = telemetryBatchCodec.encode({ ...batch, historical: true });
    t.ok(bytes.length <= MAX_MESSAGE_BYTES, `${bytes.length} bytes`);
    t.equal(
      store.oldestBatch(2000, 1)?.samples.length,
      1,
      'one sample always goes, however small the budget',
    );
  },
);

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
  t.equal((db.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n, 1000);
});

t.test('a store written by a newer agent is refused rather than misread', async (t) => {
  const dir = tempDir(t);
  new AgentStore(dir).close();
  const db = new Database(join(dir, 'agent.sqlite'));
  db.pragma('user_version = 99');
  db.close();
  t.throws(() => new AgentStore(dir), /newer than this agent knows/);
});
