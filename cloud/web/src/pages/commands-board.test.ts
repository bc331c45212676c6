import t from 'tap';
import {
  applyTargetChanges,
  boardOf,
  countStates,
  overallStateOf,
  progressOf,
  sameCounts,
  targetsIn,
} from './commands-board';
import type { CommandTarget, TargetChange, TargetState } from './commands-types';

const target = (minerId: string, state: TargetState, version?: number): CommandTarget => ({
  agentId: 'a1',
  minerId,
  state,
  reason: '',
  errorCode: '',
  ...(version === undefined ? {} : { version }),
});
const change = (minerId: string, state: TargetState, version: number, extra = {}): TargetChange => ({
  commandId: 'c1',
  agentId: 'a1',
  minerId,
  state,
  version,
  at: Date.UTC(2025, 0, 1),
  ...extra,
});

t.test('a newer version moves a target; an older or equal one is dropped', async (t) => {
  const board = boardOf([target('m1', 'dispatched', 2)]);
  const moved = applyTargetChanges(board, [change('m1', 'running', 4, { reason: 'started' })]);
  t.equal(moved.rows.get('a1\u0000m1')?.state, 'running');
  t.equal(moved.rows.get('a1\u0000m1')?.version, 4);
  t.equal(moved.rows.get('a1\u0000m1')?.startedAt, '2025-01-01T00:00:00.000Z');
  t.equal(applyTargetChanges(moved, [change('m1', 'received', 3)]), moved, 'late older version: same board');
  t.equal(applyTargetChanges(moved, [change('m1', 'running', 4)]), moved, 'duplicate: same board');
  t.equal(board.rows.get('a1\u0000m1')?.state, 'dispatched', 'the input board is not mutated');
});

t.test('without a version (loaded rows), only a later lifecycle step moves a target', async (t) => {
  const board = boardOf([target('m1', 'received'), target('m2', 'queued')]);
  const next = applyTargetChanges(board, [
    change('m1', 'dispatched', 9),
    change('m2', 'dispatched', 2),
    change('m2', 'queued', 1),
  ]);
  t.equal(next.rows.get('a1\u0000m1')?.state, 'received', 'received does not go back to dispatched');
  t.equal(next.rows.get('a1\u0000m2')?.state, 'dispatched');
  t.equal(next.rows.get('a1\u0000m2')?.version, 2, 'the version of the applied change is kept');
});

t.test('a final state is final, whatever version comes after', async (t) => {
  const board = boardOf([target('m1', 'succeeded', 5)]);
  t.equal(applyTargetChanges(board, [change('m1', 'failed', 9)]), board);
});

t.test('a change for a miner the board does not list yet is added at the end', async (t) => {
  const board = boardOf([target('m1', 'queued')]);
  const next = applyTargetChanges(board, [change('m9', 'failed', 3, { errorCode: 'MINER_X', reason: 'no' })]);
  t.same(next.keys, ['a1\u0000m1', 'a1\u0000m9']);
  t.equal(next.rows.get('a1\u0000m9')?.errorCode, 'MINER_X');
  t.equal(next.rows.get('a1\u0000m9')?.finishedAt, '2025-01-01T00:00:00.000Z');
  t.same(board.keys, ['a1\u0000m1'], 'the input keys are not mutated');
});

t.test('counts, progress and the snapshot comparison', async (t) => {
  const board = boardOf([
    target('m1', 'succeeded'),
    target('m2', 'failed'),
    target('m3', 'running'),
    target('m4', 'queued'),
  ]);
  const counts = countStates(board);
  t.equal(counts.succeeded, 1);
  t.equal(counts.expired, 0);
  t.same(progressOf(counts), { finished: 2, succeeded: 1, total: 4 });
  t.ok(sameCounts(counts, { succeeded: 1, failed: 1, running: 1, queued: 1 }));
  t.notOk(sameCounts(counts, { succeeded: 2, failed: 1, queued: 1 }), 'one moved on: differs');
});

t.test('overall state follows the cloud rules', async (t) => {
  const counts = (states: TargetState[]) => countStates(boardOf(states.map((s, i) => target(`m${i}`, s))));
  const now = 1_000;
  t.equal(overallStateOf('awaiting_approval', 0, now, counts(['queued'])), 'awaiting_approval');
  t.equal(overallStateOf('cancelled', 0, now, counts(['succeeded'])), 'cancelled');
  t.equal(overallStateOf('active', 0, now, counts(['queued', 'queued'])), 'queued');
  t.equal(overallStateOf('active', 5_000, now, counts(['queued'])), 'scheduled');
  t.equal(overallStateOf('active', 0, now, counts(['queued', 'running'])), 'in_progress');
  t.equal(overallStateOf('active', 0, now, counts(['queued', 'succeeded'])), 'in_progress');
  t.equal(overallStateOf('active', 0, now, counts(['succeeded', 'succeeded'])), 'succeeded');
  t.equal(overallStateOf('finished', 0, now, counts(['succeeded', 'failed'])), 'partially_succeeded');
  t.equal(overallStateOf('finished', 0, now, counts(['failed', 'timed_out'])), 'failed');
  t.equal(overallStateOf('finished', 0, now, counts(['expired', 'expired'])), 'expired');
  t.equal(overallStateOf('finished', 0, now, counts([])), 'failed', 'no targets is no success');
});

t.test('targetsIn filters by state in board order', async (t) => {
  const board = boardOf([target('m1', 'failed'), target('m2', 'succeeded'), target('m3', 'failed')]);
  t.same(
    targetsIn(board, 'failed').map((row) => row.minerId),
    ['m1', 'm3'],
  );
  t.equal(targetsIn(board, '').length, 3);
});

// A whole 5,000-miner rollout arriving as the cloud batches it (500 changes per notification).
t.test('5,000 targets moved in batches of 500', async (t) => {
  const targets = Array.from({ length: 5_000 }, (_, i) => target(`m${i}`, 'dispatched', 1));
  let board = boardOf(targets);
  for (let batch = 0; batch < 10; batch++) {
    board = applyTargetChanges(
      board,
      Array.from({ length: 500 }, (_, i) => change(`m${batch * 500 + i}`, 'succeeded', 2)),
    );
    countStates(board);
  }
  t.equal(countStates(board).succeeded, 5_000);
  t.equal(board.keys.length, 5_000, 'no row added twice');
});
