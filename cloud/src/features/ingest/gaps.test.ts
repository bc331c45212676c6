import type { Test } from 'tap';
import type { Db } from '../../db/index.js';
import { testEachDialect } from '../../test/databases.js';
import { enrollTestAgent, sample } from '../../test/helpers.js';
import { UnknownAgentError } from './errors.js';
import { ingestTelemetry, recordGaps } from './service.js';

const NOW = 1_795_000_500_000;
const gap = (epoch: number, firstSeq: number, lastSeq: number) => ({
  epoch,
  firstSeq,
  lastSeq,
  samples: lastSeq - firstSeq + 1,
  oldestTimeMs: NOW - 3_600_000,
  newestTimeMs: NOW - 1_800_000,
  droppedAtMs: NOW - 60_000,
  reason: 1,
});
const mark = async (db: Db, epoch: number) =>
  Number(
    (
      await db
        .selectFrom('telemetry_stream')
        .select('up_to_seq')
        .where('agent_id', '=', 'agent-1')
        .where('epoch', '=', epoch)
        .executeTakeFirst()
    )?.up_to_seq ?? 0,
  );
const gapEvents = (db: Db) =>
  db.selectFrom('event_outbox').selectAll().where('type', '=', 'telemetry.gap').orderBy('id').execute();

function testGaps(name: string, body: (t: Test, db: Db) => Promise<void>): void {
  testEachDialect(name, async (t, db) => {
    await enrollTestAgent(db, 'agent-1');
    await body(t, db);
  });
}

testGaps('a gap moves the mark past the dropped seqs and becomes one event', async (t, db) => {
  await ingestTelemetry(db, 'agent-1', { epoch: 1, samples: [sample(1), sample(2), sample(3)] }, NOW);
  t.same(await recordGaps(db, 'agent-1', [gap(1, 4, 10)], NOW), [
    { epoch: 1, firstSeq: 4, lastSeq: 10, missing: 7 },
  ]);
  t.equal(await mark(db, 1), 10);
  const events = await gapEvents(db);
  t.equal(events.length, 1);
  t.match(JSON.parse(events[0]?.payload ?? '{}'), {
    agentId: 'agent-1',
    epoch: 1,
    firstSeq: 4,
    lastSeq: 10,
    missingFromSeq: 4,
    samples: 7,
    reason: 'disk_budget',
    droppedAtMs: NOW - 60_000,
  });
  const later = await ingestTelemetry(db, 'agent-1', { epoch: 1, samples: [sample(11), sample(12)] }, NOW);
  t.equal(later.upToSeq, 12, 'later samples are acked: the gap does not hold the mark back');

  t.same(
    await recordGaps(db, 'agent-1', [gap(1, 4, 10), gap(1, 1, 3)], NOW),
    [
      { epoch: 1, firstSeq: 4, lastSeq: 10, missing: 0 },
      { epoch: 1, firstSeq: 1, lastSeq: 3, missing: 0 },
    ],
    'a repeated gap, or one over samples this cloud stored, hides nothing',
  );
  t.equal((await gapEvents(db)).length, 1, 'no second event');
  t.equal(await mark(db, 1), 12, 'the mark never moves back');
});

testGaps('a gap of an epoch the cloud never saw, and a batch of gaps alone', async (t, db) => {
  t.same(await recordGaps(db, 'agent-1', [gap(5, 1, 40)], NOW), [
    { epoch: 5, firstSeq: 1, lastSeq: 40, missing: 40 },
  ]);
  const outcome = await ingestTelemetry(db, 'agent-1', { epoch: 5, samples: [] }, NOW);
  t.match(outcome, { epoch: 5, upToSeq: 40, applied: 0 }, 'a gaps-only batch is acked at the moved mark');
});

testGaps('gaps from an unknown agent are refused and change nothing', async (t, db) => {
  await t.rejects(recordGaps(db, 'agent-nobody', [gap(1, 1, 5)], NOW), UnknownAgentError);
  t.equal((await gapEvents(db)).length, 0);
});
