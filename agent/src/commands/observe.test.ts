// Table tests for what counts as a command's effect: never an old run taken for a new one, never a reading that
// merely lacks the effect taken for it.
import type { Reading } from '@hashinsight/miners';
import { hashinsight } from '@hashinsight/protocol';
import t from 'tap';
import { effectSeen, expectationFor } from './observe.js';

const { PowerMode } = hashinsight.v1;
type Command = hashinsight.v1.Command;

const reading = (fields: Partial<Reading>): Reading => ({
  ip: '127.0.0.1',
  vendor: 'bitmain',
  model: 'Antminer S19 Pro',
  firmware: '',
  status: 'ok',
  hashrateMhs: 100_000_000,
  hashrateAvgMhs: 100_000_000,
  hashrateExpectedMhs: 110_000_000,
  boards: [],
  fansRpm: [],
  pools: [],
  uptimeS: 3600,
  errors: [],
  ...fields,
});
const command = (fields: Partial<Command>) => hashinsight.v1.Command.create(fields);

t.test('each action expects its effect', async (t) => {
  t.same(expectationFor(command({ reboot: {} })), { kind: 'restarted' });
  t.same(expectationFor(command({ restartMining: {} })), { kind: 'restarted' });
  t.same(expectationFor(command({ setPools: { pools: [{ url: 'stratum+tcp://a:1', user: 'u' }] } })), {
    kind: 'pool',
    url: 'stratum+tcp://a:1',
  });
  t.same(expectationFor(command({ sleep: {} })), { kind: 'asleep' });
  t.same(expectationFor(command({ setPowerMode: { mode: PowerMode.POWER_MODE_SLEEP } })), { kind: 'asleep' });
  t.same(expectationFor(command({ setPowerMode: { mode: PowerMode.POWER_MODE_LOW } })), {
    kind: 'acknowledged',
  });
  t.same(expectationFor(command({ setPowerLimit: { watts: 3000 } })), { kind: 'acknowledged' });
  t.same(expectationFor(command({ setLed: { on: true } })), { kind: 'acknowledged' });
  t.same(expectationFor(command({ wake: {} })), { kind: 'hashing' });
  t.same(expectationFor(command({ updateCredentials: { credentialId: 'c', credentialVersion: 2 } })), {
    kind: 'login',
  });
});

t.test('restarted: only a run that began after the action, and hashing', async (t) => {
  const acted = 100_000;
  const restarted = { kind: 'restarted' } as const;
  // 10.5 s after the action a run up for 10 s (reported floor) may have started 0.5 s before it: not proven.
  t.notOk(effectSeen(restarted, reading({ uptimeS: 10 }), acted, acted + 10_500), 'could be the old run');
  t.ok(effectSeen(restarted, reading({ uptimeS: 9 }), acted, acted + 10_500), 'began after the action');
  t.notOk(effectSeen(restarted, reading({ uptimeS: 3600 }), acted, acted + 10_500), 'the old run');
  t.notOk(
    effectSeen(restarted, reading({ uptimeS: 2, hashrateMhs: 0 }), acted, acted + 10_500),
    'back but not hashing yet',
  );
  t.notOk(
    effectSeen(restarted, reading({ uptimeS: 2, status: 'sleeping' }), acted, acted + 10_500),
    'back asleep',
  );
});

t.test(
  'restarted with the uptime read before the action: a restart right after it is proven too',
  async (t) => {
    const acted = 100_000;
    const restarted = { kind: 'restarted' } as const;
    // Up an hour before; 3.2 s later it reports 3 s: a new run (the old one would be 3603 s).
    t.ok(effectSeen(restarted, reading({ uptimeS: 3 }), acted, acted + 3200, 3600), 'an hour-old run ended');
    t.notOk(effectSeen(restarted, reading({ uptimeS: 3603 }), acted, acted + 3200, 3600), 'the same run');
    t.notOk(
      effectSeen(restarted, reading({ uptimeS: 3602 }), acted, acted + 3200, 3600),
      'the same run, rounded',
    );
    // Up 5 s before; 0.2 s after the action the new run reports 0 s: 5 + 0.2 > 0 + 1.5.
    t.ok(effectSeen(restarted, reading({ uptimeS: 0 }), acted, acted + 200, 5), 'restarted at once');
    t.notOk(effectSeen(restarted, reading({ uptimeS: 5 }), acted, acted + 200, 5), 'not restarted');
    // The old run, read 10.9 s later, may report baseline + 10 (floored): never taken for a new one.
    for (let ms = 0; ms < 3000; ms += 100) {
      const old = Math.floor(7.99 + ms / 1000);
      t.notOk(effectSeen(restarted, reading({ uptimeS: old }), acted, acted + ms, 7), `old run at +${ms} ms`);
    }
  },
);

t.test('pool: the first new pool active, whatever the scheme or case the firmware reports', async (t) => {
  const pool = (url: string, active: boolean) => ({
    url,
    user: 'w',
    status: 'alive' as const,
    active,
    priority: 0,
    accepted: 0,
    rejected: 0,
    stale: 0,
  });
  const wanted = { kind: 'pool', url: 'stratum+tcp://Pool.example:3333' } as const;
  t.ok(effectSeen(wanted, reading({ pools: [pool('pool.example:3333/', true)] }), 0, 1));
  t.ok(effectSeen(wanted, reading({ pools: [pool('stratum+tcp://pool.example:3333', true)] }), 0, 1));
  t.notOk(effectSeen(wanted, reading({ pools: [pool('stratum+tcp://pool.example:3333', false)] }), 0, 1));
  t.notOk(effectSeen(wanted, reading({ pools: [pool('stratum+tcp://pool.example:3334', true)] }), 0, 1));
  t.notOk(effectSeen({ kind: 'pool', url: '' }, reading({ pools: [pool('', true)] }), 0, 1), 'no URL');
});

t.test('asleep, hashing; acknowledged and login are never read off a reading', async (t) => {
  t.ok(effectSeen({ kind: 'asleep' }, reading({ status: 'sleeping' }), 0, 1));
  t.ok(effectSeen({ kind: 'asleep' }, reading({ status: 'offline', hashrateMhs: 0 }), 0, 1), 'BOS paused');
  t.notOk(effectSeen({ kind: 'asleep' }, reading({ hashrateMhs: 0 }), 0, 1), 'a zero rate after a restart');
  t.notOk(effectSeen({ kind: 'asleep' }, reading({}), 0, 1));
  t.ok(effectSeen({ kind: 'hashing' }, reading({}), 0, 1));
  t.notOk(effectSeen({ kind: 'hashing' }, reading({ status: 'offline' }), 0, 1));
  t.notOk(effectSeen({ kind: 'acknowledged' }, reading({}), 0, 1));
  t.notOk(effectSeen({ kind: 'login' }, reading({}), 0, 1));
});
