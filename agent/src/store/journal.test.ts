import { tempDir } from '@hashinsight/testkit';
import t, { type Test } from 'tap';
import { CredentialCache } from './credentials.js';
import { CommandJournal } from './journal.js';
import { AgentStore } from './store.js';

function open(t: Test) {
  const store = new AgentStore(tempDir(t));
  t.teardown(() => store.close());
  return store;
}

const nonce = (n: number) => Buffer.alloc(16, n);
const command = (id: string, n: number) => ({
  commandId: id,
  nonce: nonce(n),
  receivedMs: 1000,
  expiresAtMs: 61_000,
  payload: Buffer.from(id),
  verdict: 'accepted',
});

t.test('a command and its targets are journaled once, with every state change queued in order', async (t) => {
  const store = open(t);
  const journal = new CommandJournal(store.db);
  const targets = [
    { minerId: 'm1', state: 'received' as const },
    { minerId: 'm2', state: 'received' as const },
  ];
  t.ok(journal.record(command('c1', 1), targets));
  t.notOk(journal.record(command('c1', 2), targets), 'the same id again: refused');
  t.notOk(journal.record(command('c2', 1), targets), 'the same nonce under another id: refused');
  t.ok(journal.seen('zz', nonce(1)) && journal.seen('c1', nonce(9)) && !journal.seen('zz', nonce(9)));

  t.ok(journal.transition('c1', 'm1', ['received'], 'running', 2000));
  t.notOk(journal.transition('c1', 'm1', ['received'], 'running', 2001), 'only from the states given');
  t.ok(
    journal.transition('c1', 'm1', ['running'], 'failed', 3000, {
      errorCode: 'MINER_TIMEOUT',
      message: 'x'.repeat(900),
    }),
  );
  const queued = journal.unreported();
  t.same(
    queued.map((u) => [u.minerId, u.state]),
    [
      ['m1', 'received'],
      ['m2', 'received'],
      ['m1', 'running'],
      ['m1', 'failed'],
    ],
  );
  t.equal(queued[3]?.message.length, 500, 'failure texts are capped');
  for (const update of queued.slice(0, 3)) journal.markReported(update);
  t.same(
    journal.unreported().map((u) => u.state),
    ['failed'],
  );
  t.same(
    journal.pending().map((p) => [p.minerId, p.expiresAtMs]),
    [['m2', 61_000]],
    'm2 never started',
  );
});

t.test('after a restart, running targets fail as AGENT_RESTARTED and nothing else changes', async (t) => {
  const store = open(t);
  const journal = new CommandJournal(store.db);
  journal.record(command('c1', 1), [
    { minerId: 'm1', state: 'received' },
    { minerId: 'm2', state: 'received' },
    { minerId: 'm3', state: 'received' },
  ]);
  journal.transition('c1', 'm1', ['received'], 'running', 2000);
  journal.transition('c1', 'm2', ['received'], 'running', 2000);
  journal.transition('c1', 'm2', ['running'], 'succeeded', 2500);
  t.equal(journal.failInterrupted(9000), 1);
  t.same(
    journal.targets('c1').map((r) => [r.minerId, r.state, r.errorCode]),
    [
      ['m1', 'failed', 'AGENT_RESTARTED'],
      ['m2', 'succeeded', ''],
      ['m3', 'received', ''],
    ],
  );
  t.equal(journal.failInterrupted(9001), 0, 'once');
});

t.test('refusals are kept apart and never occupy a command id', async (t) => {
  const store = open(t);
  const journal = new CommandJournal(store.db);
  journal.refuse({
    receivedMs: 1,
    commandId: 'c1',
    code: 'COMMAND_BAD_SIGNATURE',
    reason: 'r',
    payload: Buffer.from('x'),
  });
  t.notOk(journal.seen('c1', nonce(1)));
  t.ok(
    journal.record(command('c1', 1), [{ minerId: 'm1', state: 'received' }]),
    'the real c1 is still accepted',
  );
  t.match(journal.refusals(), [{ commandId: 'c1', code: 'COMMAND_BAD_SIGNATURE' }]);
});

t.test('sealed credentials: newer versions only, a miner’s own login before the scope default', async (t) => {
  const store = open(t);
  const cache = new CredentialCache(store.db);
  t.ok(cache.put({ credentialId: 'site', version: 1, scope: 1, minerIds: [] }, Buffer.from('site-v1'), 1));
  t.ok(
    cache.put({ credentialId: 'm1', version: 1, scope: 1, minerIds: ['m1', 'm9'] }, Buffer.from('m1-v1'), 2),
  );
  t.notOk(
    cache.put({ credentialId: 'site', version: 1, scope: 1, minerIds: [] }, Buffer.from('site-again'), 3),
  );
  t.ok(cache.put({ credentialId: 'site', version: 2, scope: 1, minerIds: [] }, Buffer.from('site-v2'), 4));
  t.notOk(
    cache.put({ credentialId: 'site', version: 1, scope: 1, minerIds: [] }, Buffer.from('old'), 5),
    'no downgrade',
  );
  // Both replace a login in use: pending, so the old ones stay in use until the miners confirm.
  t.equal(
    String(cache.forMiner('m1', 1)?.payload),
    'site-v1',
    'm1 keeps the default while its own is pending',
  );
  t.equal(
    String(cache.forMiner('m2', 1)?.payload),
    'site-v1',
    'the default v1 stays in use while v2 is pending',
  );
  t.match(cache.get('site'), { version: 2, pending: true }, 'the newest version is held, pending');
  t.equal(String(cache.unclaimedPending('m1', 1)?.payload), 'm1-v1', 'the candidate when the old is refused');
  cache.claim('m1', 1, 'cmd-rotate');
  t.equal(
    String(cache.unclaimedPending('m1', 1)?.payload),
    'site-v2',
    'a claimed version is nobody’s fallback',
  );
  cache.promote('m1', 1);
  cache.promote('site', 2);
  t.equal(String(cache.forMiner('m1', 1)?.payload), 'm1-v1');
  t.equal(String(cache.forMiner('m9', 1)?.payload), 'm1-v1');
  t.equal(String(cache.forMiner('m2', 1)?.payload), 'site-v2');
  t.equal(cache.version('site', 1), undefined, 'the older version is dropped once the newer is confirmed');
  t.equal(cache.forMiner('m2', 2), undefined, 'nothing for another scope');
  // A login of the other scope could replace the one in use too (drivers fall back across scopes): pending.
  t.ok(cache.put({ credentialId: 'api', version: 1, scope: 2, minerIds: [] }, Buffer.from('api-v1'), 6));
  t.match(cache.get('api'), { pending: true });
  cache.promote('api', 1);
  t.equal(String(cache.forMiner('m2', 2)?.payload), 'api-v1');
  t.ok(cache.put({ credentialId: 'api', version: 2, scope: 2, minerIds: [] }, Buffer.from('api-v2'), 7));
  cache.discard('api', 2);
  t.same(
    [cache.get('api')?.version, String(cache.forMiner('m2', 2)?.payload)],
    [1, 'api-v1'],
    'discarded: the old login stays',
  );
  // A newer pending version supersedes an unclaimed older pending one.
  cache.put({ credentialId: 'api', version: 3, scope: 2, minerIds: [] }, Buffer.from('api-v3'), 8);
  cache.put({ credentialId: 'api', version: 4, scope: 2, minerIds: [] }, Buffer.from('api-v4'), 9);
  t.equal(cache.version('api', 3), undefined);
});

t.test('sealed credentials: the first login the agent gets is used at once', async (t) => {
  const cache = new CredentialCache(open(t).db);
  t.ok(cache.put({ credentialId: 'm1', version: 3, scope: 2, minerIds: ['m1'] }, Buffer.from('m1-v3'), 1));
  t.match(cache.forMiner('m1', 2), { credentialId: 'm1', version: 3, pending: false });
  t.equal(cache.forMiner('m1', 1), undefined, 'in its own scope only');
});

t.test('a rotation failed by a restart releases its login as a fallback', async (t) => {
  const store = open(t);
  const journal = new CommandJournal(store.db);
  const cache = new CredentialCache(store.db);
  cache.put({ credentialId: 'site', version: 1, scope: 1, minerIds: [] }, Buffer.from('site-v1'), 1);
  cache.put({ credentialId: 'm1', version: 1, scope: 1, minerIds: ['m1'] }, Buffer.from('m1-v1'), 2);
  journal.record(command('rotate', 1), [{ minerId: 'm1', state: 'received' }]);
  journal.transition('rotate', 'm1', ['received'], 'running', 3);
  cache.claim('m1', 1, 'rotate');
  t.equal(cache.releaseFinishedClaims(), 0, 'still running: kept');
  t.equal(cache.unclaimedPending('m1', 1), undefined);
  journal.failInterrupted(4);
  t.equal(cache.releaseFinishedClaims(), 1);
  t.match(cache.unclaimedPending('m1', 1), { credentialId: 'm1', version: 1 }, 'a fallback now');
});

t.test('pruning forgets expired commands with nothing left to run or report, and old refusals', async (t) => {
  const store = open(t);
  const journal = new CommandJournal(store.db);
  journal.record({ ...command('done', 1), expiresAtMs: 5000 }, [{ minerId: 'm1', state: 'received' }]);
  journal.record({ ...command('unsent', 2), expiresAtMs: 5000 }, [{ minerId: 'm1', state: 'received' }]);
  journal.record({ ...command('waiting', 3), expiresAtMs: 5000 }, [{ minerId: 'm1', state: 'received' }]);
  journal.record({ ...command('fresh', 4), expiresAtMs: 90_000 }, [{ minerId: 'm1', state: 'received' }]);
  for (const id of ['done', 'unsent', 'fresh']) {
    journal.transition(id, 'm1', ['received'], 'running', 2000);
    journal.transition(id, 'm1', ['running'], 'succeeded', 3000);
  }
  for (const update of journal.unreported()) if (update.commandId !== 'unsent') journal.markReported(update);
  for (let i = 0; i < 5; i++) {
    journal.refuse({
      receivedMs: i * 1000,
      commandId: null,
      code: 'COMMAND_MALFORMED',
      reason: '',
      payload: Buffer.from(''),
    });
  }
  t.equal(journal.prune(10_000, 1500, 3), 1, 'only the finished, reported, expired command');
  t.ok(journal.command('unsent') && journal.command('waiting') && journal.command('fresh'));
  t.equal(journal.command('done'), undefined);
  t.same(journal.targets('done'), [], 'with its targets');
  t.same(
    journal.refusals().map((r) => r.receivedMs),
    [4000, 3000, 2000],
    'refusals by age and by count',
  );
});
