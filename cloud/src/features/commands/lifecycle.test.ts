// The transition table as a table: every (from, to) pair of target states, the timestamps each entry sets, the
// wire mapping and the command's overall state.
import t from 'tap';
import {
  COMMAND_STATUSES,
  canCommandMove,
  isTerminalCommand,
  overallState,
  TARGET_STATES,
  type TargetState,
  targetStateOfWire,
  transitionTarget,
} from './lifecycle.js';

const TERMINAL: TargetState[] = ['succeeded', 'failed', 'timed_out', 'rejected', 'cancelled', 'expired'];

// Expected outcome of every pair: the allowed moves spelled out once more, independently of the module's table.
const ALLOWED: Record<string, TargetState[]> = {
  queued: ['dispatched', 'failed', 'rejected', 'cancelled', 'expired'],
  dispatched: ['received', 'running', ...TERMINAL],
  received: ['running', ...TERMINAL],
  running: ['succeeded', 'failed', 'timed_out'],
};

t.test('every pair of target states', async (t) => {
  let allowed = 0;
  for (const from of TARGET_STATES) {
    for (const to of TARGET_STATES) {
      const result = transitionTarget({ state: from, version: 7 }, to, 1000);
      const expected = ALLOWED[from]?.includes(to) ?? false;
      t.equal(result.ok, expected, `${from} -> ${to}`);
      if (result.ok) {
        allowed++;
        t.equal(result.fromVersion, 7);
        t.equal(result.patch.version, 8, 'version +1 per transition');
        t.equal(result.patch.state, to);
        t.equal(result.patch.updated_at, 1000);
      } else if (from === to) {
        t.equal(result.why, 'same', `${from} again is a duplicate`);
      } else if (TERMINAL.includes(from)) {
        t.equal(result.why, 'terminal', `${from} is final`);
      }
    }
  }
  t.equal(allowed, 5 + 8 + 7 + 3);
});

t.test('late steps are backwards, not errors; running cannot be cancelled or expire', async (t) => {
  t.same(transitionTarget({ state: 'running', version: 3 }, 'received', 1), { ok: false, why: 'backwards' });
  t.same(transitionTarget({ state: 'received', version: 2 }, 'dispatched', 1), {
    ok: false,
    why: 'backwards',
  });
  t.same(transitionTarget({ state: 'dispatched', version: 1 }, 'queued', 1), { ok: false, why: 'backwards' });
  t.same(transitionTarget({ state: 'running', version: 3 }, 'cancelled', 1), { ok: false, why: 'illegal' });
  t.same(transitionTarget({ state: 'running', version: 3 }, 'expired', 1), { ok: false, why: 'illegal' });
});

t.test('timestamps, reason and error code', async (t) => {
  const at = 1_795_000_000_000;
  const stamp = (from: TargetState, to: TargetState) => {
    const result = transitionTarget({ state: from, version: 0 }, to, at, { reason: 'r', errorCode: 'E' });
    if (!result.ok) throw new Error(`${from} -> ${to} refused`);
    return result.patch;
  };
  t.match(stamp('queued', 'dispatched'), { dispatched_at: at, reason: 'r', error_code: 'E' });
  t.notOk('finished_at' in stamp('queued', 'dispatched'));
  t.match(stamp('dispatched', 'received'), { received_at: at });
  t.match(stamp('received', 'running'), { started_at: at });
  for (const to of TERMINAL.filter((s) => s !== 'succeeded')) {
    t.match(stamp('dispatched', to), { finished_at: at }, `${to} sets finished_at`);
  }
  const long = transitionTarget({ state: 'running', version: 0 }, 'failed', at, {
    reason: 'x'.repeat(10_000),
    errorCode: 'Y'.repeat(1000),
  });
  t.ok(long.ok && long.patch.reason?.length === 500 && long.patch.error_code?.length === 100, 'bounded');
  const plain = transitionTarget({ state: 'queued', version: 0 }, 'cancelled', at);
  t.ok(plain.ok && !('reason' in plain.patch), 'no reason given: the stored one is left alone');
});

t.test('wire states', async (t) => {
  t.same([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(targetStateOfWire), [
    undefined,
    'received',
    'running',
    'succeeded',
    'failed',
    'rejected',
    'expired',
    'timed_out',
    'cancelled',
    undefined,
  ]);
});

t.test('command statuses', async (t) => {
  const moves = COMMAND_STATUSES.flatMap((from) =>
    COMMAND_STATUSES.filter((to) => canCommandMove(from, to)).map((to) => `${from}>${to}`),
  );
  t.same(moves, [
    'awaiting_approval>active',
    'awaiting_approval>cancelled',
    'awaiting_approval>expired',
    'active>finished',
    'active>cancelled',
    'active>aborted',
  ]);
  t.same(
    COMMAND_STATUSES.filter((s) => isTerminalCommand(s)),
    ['finished', 'cancelled', 'aborted', 'expired'],
  );
});

t.test('overall state', async (t) => {
  const now = 1000;
  t.equal(overallState('awaiting_approval', 0, now, { queued: 3 }), 'awaiting_approval');
  t.equal(overallState('active', now + 1, now, { queued: 3 }), 'scheduled');
  t.equal(overallState('active', now, now, { queued: 3 }), 'queued');
  t.equal(overallState('active', now, now, { queued: 2, dispatched: 1 }), 'in_progress');
  t.equal(overallState('active', now, now, { queued: 2, succeeded: 1 }), 'in_progress');
  t.equal(overallState('finished', now, now, { succeeded: 3 }), 'succeeded');
  t.equal(overallState('finished', now, now, { succeeded: 2, failed: 1 }), 'partially_succeeded');
  t.equal(overallState('finished', now, now, { failed: 1, timed_out: 1 }), 'failed');
  t.equal(overallState('finished', now, now, { expired: 2 }), 'expired');
  t.equal(overallState('aborted', now, now, { failed: 3, cancelled: 5 }), 'aborted');
  t.equal(overallState('cancelled', now, now, { cancelled: 3 }), 'cancelled');
});
