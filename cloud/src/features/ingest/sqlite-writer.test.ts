import { join } from 'node:path';
import { tempDir } from '@hashinsight/testkit';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import t, { type Test } from 'tap';
import { DATABASE_FILE, type Db, migrateToLatest, openDatabase, sqliteHandleOf } from '../../db/index.js';
import { enrollTestAgent, sample } from '../../test/helpers.js';
import { ingestTelemetry } from './service.js';
import { sqliteWriterOf } from './sqlite-writer.js';

// The SQLite group commit. The portable behaviour (marks, duplicates, latest, backfill) is tested on both
// dialects in service.test.ts and history.test.ts; here what only the group commit does.

const NOW = 1_795_000_500_000;
const AGENTS = ['agent-1', 'agent-2', 'agent-3'];

/** A migrated SQLite database with three enrolled agents, and a second, independent connection to its file. */
async function setup(t: Test): Promise<{ db: Db; reader: SQLite.Database }> {
  const dir = tempDir(t);
  const db = openDatabase({ dataDir: dir });
  t.teardown(() => db.destroy());
  await migrateToLatest(db);
  for (const agent of AGENTS) await enrollTestAgent(db, agent);
  const reader = new SQLite(join(dir, DATABASE_FILE), { readonly: true });
  t.teardown(() => reader.close());
  return { db, reader };
}

const writerOf = (db: Db) => {
  const handle = sqliteHandleOf(db);
  if (handle === undefined) throw new Error('not a SQLite database');
  return sqliteWriterOf(db, handle);
};

/** `count` samples of one miner with seqs from `firstSeq`. */
const samples = (firstSeq: number, count: number, minerId = 'm1') =>
  Array.from({ length: count }, (_, i) => sample(firstSeq + i, { minerId, identity: null }));

const markOf = (reader: SQLite.Database, agentId: string) =>
  (
    reader.prepare('select up_to_seq from telemetry_stream where agent_id = ?').get(agentId) as
      | { up_to_seq: number }
      | undefined
  )?.up_to_seq;

t.test('batches of several agents share one commit, each settling only once it is visible', async (t) => {
  const { db, reader } = await setup(t);
  const before = { ...writerOf(db).stats };
  const settled = AGENTS.map((agentId, i) =>
    ingestTelemetry(db, agentId, { epoch: 1, samples: samples(1, i + 1) }, NOW).then((outcome) => {
      // Read through another connection: it sees committed data only.
      return { outcome, markSeenByOthers: markOf(reader, agentId) };
    }),
  );
  const results = await Promise.all(settled);
  t.same(
    results.map((r) => r.outcome),
    [1, 2, 3].map((n) => ({ epoch: 1, upToSeq: n, applied: n, duplicates: 0 })),
  );
  t.same(
    results.map((r) => r.markSeenByOthers),
    [1, 2, 3],
    'each mark is committed when its promise resolves',
  );
  t.same(
    writerOf(db).stats,
    { commits: before.commits + 1, batches: before.batches + 3 },
    'one commit for all',
  );
  t.equal((reader.prepare('select count(*) as n from miner_sample').get() as { n: number }).n, 6);
});

t.test('two batches of one agent in a group are applied in order', async (t) => {
  const { db } = await setup(t);
  const [first, second] = await Promise.all([
    ingestTelemetry(db, 'agent-1', { epoch: 1, samples: samples(1, 2) }, NOW),
    ingestTelemetry(db, 'agent-1', { epoch: 1, samples: [...samples(2, 1), ...samples(3, 2)] }, NOW),
  ]);
  t.same(first, { epoch: 1, upToSeq: 2, applied: 2, duplicates: 0 });
  t.same(second, { epoch: 1, upToSeq: 4, applied: 2, duplicates: 1 }, 'sees the first batch of the group');
});

t.test('a failing batch fails alone: its writes are rolled back, the others commit', async (t) => {
  const { db, reader } = await setup(t);
  // A real SQL failure halfway through agent-2's batch, after its first sample was written.
  await sql`create trigger poison before insert on miner_sample when new.miner_id = 'poison'
    begin select raise(abort, 'poisoned sample'); end`.execute(db);
  const before = { ...writerOf(db).stats };
  const results = await Promise.allSettled([
    ingestTelemetry(db, 'agent-1', { epoch: 1, samples: samples(1, 2) }, NOW),
    ingestTelemetry(
      db,
      'agent-2',
      { epoch: 1, samples: [...samples(1, 1), ...samples(2, 1, 'poison')] },
      NOW,
    ),
    ingestTelemetry(db, 'ghost', { epoch: 1, samples: samples(1, 1) }, NOW),
    ingestTelemetry(db, 'agent-3', { epoch: 1, samples: samples(1, 3) }, NOW),
  ]);
  t.match(results[0], { status: 'fulfilled', value: { upToSeq: 2 } });
  t.match(results[1], { status: 'rejected', reason: { message: /poisoned sample/ } });
  t.match(results[2], { status: 'rejected', reason: { code: 'INGEST_UNKNOWN_AGENT' } });
  t.match(results[3], { status: 'fulfilled', value: { upToSeq: 3 } });
  t.same(writerOf(db).stats, { commits: before.commits + 1, batches: before.batches + 4 });
  const count = (table: string, agentId: string) =>
    (reader.prepare(`select count(*) as n from ${table} where agent_id = ?`).get(agentId) as { n: number }).n;
  t.same(
    ['miner_sample', 'miner', 'miner_latest', 'telemetry_stream'].map((table) => count(table, 'agent-2')),
    [0, 0, 0, 0],
    'nothing of the failed batch, not even the sample written before the failure',
  );
  t.equal(count('miner_sample', 'agent-1'), 2);
  t.equal(count('miner_sample', 'agent-3'), 3);
  t.equal(markOf(reader, 'agent-2'), undefined);

  // The agent resends once the cause is gone; the batch is stored then.
  await sql`drop trigger poison`.execute(db);
  t.match(
    await ingestTelemetry(
      db,
      'agent-2',
      { epoch: 1, samples: [...samples(1, 1), ...samples(2, 1, 'poison')] },
      NOW,
    ),
    { upToSeq: 2, applied: 2 },
  );
});

t.test('the group waits for a transaction open on the connection and survives its rollback', async (t) => {
  const { db, reader } = await setup(t);
  let pending: Promise<unknown> | undefined;
  await t.rejects(
    db.transaction().execute(async (trx) => {
      await trx.updateTable('agent').set({ hostname: 'changed' }).where('id', '=', 'agent-1').execute();
      pending = ingestTelemetry(db, 'agent-1', { epoch: 1, samples: samples(1, 2) }, NOW);
      // Several turns of the event loop: the group would have run by now if it did not wait for the lock.
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
      throw new Error('roll back');
    }),
    { message: 'roll back' },
  );
  t.match(await pending, { upToSeq: 2, applied: 2 });
  t.equal(markOf(reader, 'agent-1'), 2, 'the ingest committed on its own');
  t.equal(
    (reader.prepare("select hostname from agent where id = 'agent-1'").get() as { hostname: string })
      .hostname,
    '',
    'the rolled-back transaction took nothing of the ingest with it, nor left its own change',
  );
});
