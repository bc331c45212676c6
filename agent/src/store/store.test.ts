import { join } from 'node:path';
import { tempDir } from '@hashinsight/testkit';
import Database from 'better-sqlite3';
import t from 'tap';
import { AgentStore } from './index.js';

const sample = (minerId: string, timeMs = 1_795_000_000_000) => ({
  minerId,
  timeMs,
  hashrateMhs: 100_000_000,
});

t.test('samples are numbered per epoch and leave only when acknowledged', async (t) => {
  const store = new AgentStore(tempDir(t));
  t.teardown(() => store.close());
  t.throws(() => store.append([sample('a')]), /epoch/, 'no epoch yet');
  t.equal(store.nextEpoch(), 1);
  t.match(store.append([sample('a'), sample('b')]), { epoch: 1, firstSeq: 1, lastSeq: 2, rejected: [] });
  t.match(store.append([sample('c')]), { firstSeq: 3, lastSeq: 3 });
  t.equal(store.nextEpoch(), 2);
  t.match(store.append([sample('d')]), { epoch: 2, firstSeq: 1, lastSeq: 1 });
  t.equal(store.backlog(), 4);

  const batch = store.oldestBatch(2);
  t.equal(batch?.epoch, 1, 'oldest epoch first');
  t.same(
    batch?.samples.map((s) => [s.seq, s.minerId]),
    [
      [1, 'a'],
      [2, 'b'],
    ],
  );
  t.equal(store.acknowledge(1, 2), 2);
  t.same(
    store.oldestBatch(10)?.samples.map((s) => s.minerId),
    ['c'],
  );
  t.equal(store.acknowledge(1, 3), 1);
  t.equal(store.oldestBatch(10)?.epoch, 2);
  t.equal(store.acknowledge(2, 1), 1);
  t.equal(store.oldestBatch(10), undefined);
  t.equal(store.acknowledge(2, 1), 0, 'a repeated ack is harmless');
});

t.test(
  'sequence numbers are never reused, even after the rows are acked or the process restarts',
  async (t) => {
    const dir = tempDir(t);
    let store = new AgentStore(dir);
    const id = store.agentId(undefined);
    store.nextEpoch();
    store.append([sample('a'), sample('b')]);
    store.acknowledge(1, 2);
    t.match(store.append([sample('c')]), { firstSeq: 3 });
    store.close();
    store = new AgentStore(dir);
    t.teardown(() => store.close());
    t.equal(store.agentId(undefined), id, 'the generated agent id is kept');
    t.equal(store.agentId('configured-id'), 'configured-id', 'a configured id wins');
    t.equal(store.currentEpoch(), 1);
    t.equal(store.oldestBatch(10)?.samples[0]?.seq, 3, 'unacked samples survive a restart');
    t.equal(store.nextEpoch(), 2, 'a restart gets a fresh epoch');
  },
);

t.test('a sample the wire contract refuses is reported and does not consume a seq', async (t) => {
  const store = new AgentStore(tempDir(t));
  t.teardown(() => store.close());
  store.nextEpoch();
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

t.test('the store file is a healthy WAL database with full sync', async (t) => {
  const dir = tempDir(t);
  const store = new AgentStore(dir);
  store.nextEpoch();
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
