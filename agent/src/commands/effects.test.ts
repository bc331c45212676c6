// Effects, cancels, rotations and timed LEDs on real parts (test/executor-rig.ts): a command succeeds only once its
// effect is seen on the virtual miner, TIMED_OUT when it never shows, CANCELLED when a CancelCommand arrives before
// it started; a login rotation switches logins only after the miner took the new one; a timed LED goes off even
// across a restart of the executor.
import { hashinsight } from '@hashinsight/protocol';
import { waitFor } from '@hashinsight/testkit';
import t from 'tap';
import { CredentialCache, LedTimers } from '../store/index.js';
import { minerControl, minerObserver } from './control.js';
import { run, setup } from './test/executor-rig.js';
import { addToInventory, LOGIN, startMiners } from './test/rig.js';

const { CredentialScope } = hashinsight.v1;
const WEB = CredentialScope.CREDENTIAL_SCOPE_MINER_WEB;
const API = CredentialScope.CREDENTIAL_SCOPE_MINER_API;

type Rig = Awaited<ReturnType<typeof setup>>;

/** The site's login (the miners' current one), sealed and cached. */
async function siteLogin(rig: Rig) {
  await rig.cloud.publish('credential', rig.cloud.seal(rig.boxKey, LOGIN, { credentialId: 'site' }));
  await waitFor('site login cached', () => new CredentialCache(rig.store.db).get('site'));
}

t.test('a reboot succeeds only once the miner is back and hashing', async (t) => {
  const rig = await setup(t);
  const [miner] = await startMiners(t, 'whatsminer', 1, undefined, 1500);
  const [id] = (await addToInventory(rig.inventory, [miner!])) as [string];
  await siteLogin(rig);
  const started = Date.now();
  const commandId = await run(rig, rig.cloud.sign({ minerIds: [id], reboot: {} }), [id]);
  t.same(rig.cloud.statesOf(commandId, id), ['received', 'running', 'succeeded']);
  t.ok(Date.now() - started >= 1500, `not before the reboot was over (${Date.now() - started} ms)`);
  t.equal(miner!.state().reboots, 1, 'rebooted once');
  t.equal(miner!.state().rebooting, false, 'and up');
});

t.test(
  'restart_mining succeeds as soon as the new run shows, though btminer restarts within the call',
  async (t) => {
    const rig = await setup(t);
    const [miner] = await startMiners(t, 'whatsminer', 1);
    const [id] = (await addToInventory(rig.inventory, [miner!])) as [string];
    await siteLogin(rig);
    await new Promise((resolve) => setTimeout(resolve, 2100)); // up two seconds: a run the new one can be told from
    const started = Date.now();
    const restart = await run(
      rig,
      rig.cloud.sign({ minerIds: [id], reboot: undefined, restartMining: {}, effectTimeoutS: 20 }),
      [id],
    );
    t.same(rig.cloud.statesOf(restart, id), ['received', 'running', 'succeeded']);
    // Without the uptime read before the action, the new run could only be told apart a second later.
    t.ok(Date.now() - started < 900, `seen within a second (${Date.now() - started} ms)`);
    t.equal(miner!.state().miningStarts, 2, 'restarted once');
  },
);

t.test('an acknowledged command whose effect never shows times out; a refused one fails', async (t) => {
  const rig = await setup(t);
  const [miner] = await startMiners(t, 'whatsminer', 1);
  const [id] = (await addToInventory(rig.inventory, [miner!])) as [string];
  await siteLogin(rig);
  await miner!.setFault('ignore-control');
  const ignored = await run(rig, rig.cloud.sign({ minerIds: [id], effectTimeoutS: 1, reboot: {} }), [id]);
  t.same(rig.cloud.statesOf(ignored, id), ['received', 'running', 'timed_out']);
  t.match(rig.cloud.last(ignored, id), {
    state: hashinsight.v1.CommandState.COMMAND_STATE_TIMED_OUT,
    errorCode: 'COMMAND_EFFECT_TIMEOUT',
  });
  const pools = await run(
    rig,
    rig.cloud.sign({
      minerIds: [id],
      effectTimeoutS: 1,
      reboot: undefined,
      setPools: { pools: [{ url: 'stratum+tcp://new-pool.invalid:3333', user: 'w1' }] },
    }),
    [id],
  );
  t.same(rig.cloud.statesOf(pools, id), ['received', 'running', 'timed_out'], 'the new pool never active');
  await miner!.setFault('control-fails');
  const refused = await run(rig, rig.cloud.sign({ minerIds: [id], reboot: {} }), [id]);
  t.match(rig.cloud.last(refused, id), { errorCode: 'MINER_COMMAND_FAILED' });
  t.equal(miner!.state().reboots, 0, 'never rebooted');
  t.same(
    rig.journal.targets(ignored).map((row) => row.state),
    ['timed_out'],
    'journaled as timed out',
  );
});

t.test('CancelCommand cancels the targets that have not started, and only those', async (t) => {
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const rig = await setup(t, {
    concurrency: 1,
    // The first miner call waits for the test, so the second target stays journaled and not started.
    control: (real) => async (target, operation, login) => {
      await gate;
      await real(target, operation, login);
    },
  });
  const miners = await startMiners(t, 'whatsminer', 2);
  const ids = (await addToInventory(rig.inventory, miners)) as [string, string];
  await siteLogin(rig);
  const bytes = rig.cloud.sign({ minerIds: ids, reboot: undefined, setLed: { on: true } });
  const led = hashinsight.v1.Command.decode(bytes).commandId;
  await rig.cloud.publish('command', bytes);
  await waitFor('the first target running', () =>
    rig.cloud.statesOf(led, ids[0]).includes('running') ? true : undefined,
  );
  const cancel = await run(
    rig,
    rig.cloud.sign({ minerIds: ids, reboot: undefined, cancel: { commandId: led } }),
    ids,
  );
  t.same(rig.cloud.statesOf(led, ids[1]), ['received', 'cancelled'], 'the waiting target is cancelled');
  t.match(rig.cloud.last(cancel, ids[0]), { state: 3, message: /already started/ }, 'the running one is not');
  t.same(rig.cloud.statesOf(cancel, ids[1]), ['received', 'succeeded']);
  release();
  await waitFor('the running target done', () =>
    rig.cloud.statesOf(led, ids[0]).includes('succeeded') ? true : undefined,
  );
  await rig.executor.idle();
  t.same(
    miners.map((miner) => miner.state().led),
    [true, false],
    'only the started target reached its miner',
  );
  const stray = await run(
    rig,
    rig.cloud.sign({ minerIds: [ids[0]], reboot: undefined, cancel: { commandId: 'never-sent' } }),
    [ids[0]],
  );
  t.match(
    rig.cloud.last(stray, ids[0]),
    { state: 5, errorCode: 'COMMAND_INVALID' },
    'unknown command: rejected',
  );
});

for (const personality of ['whatsminer', 'antminer'] as const) {
  t.test(
    `${personality}: update_credentials switches logins only after the miner took the new one`,
    async (t) => {
      const rig = await setup(t);
      const web = personality === 'antminer' ? rig.webPort : undefined;
      const [miner] = await startMiners(t, personality, 1, web);
      const [id] = (await addToInventory(rig.inventory, [miner!], web)) as [string];
      const cache = new CredentialCache(rig.store.db);
      const observer = minerObserver({ timeoutMs: 3000, ...(web ? { webPort: web } : {}) });
      const target = { minerId: id, ip: miner!.ip, port: 4028, driver: rig.inventory.get(id)!.driver };
      await siteLogin(rig);
      const next = { username: LOGIN.username, password: 'N3wPass8' };
      // Whatsminer's admin password is its API login; the site's web login served it until now.
      const scope = personality === 'whatsminer' ? API : WEB;
      await rig.cloud.publish(
        'credential',
        rig.cloud.seal(rig.boxKey, next, { credentialId: 'rotated', version: 1, minerIds: [id], scope }),
      );
      await waitFor('pending login cached', () => cache.get('rotated'));
      t.match(cache.get('rotated'), { pending: true }, 'held apart, pending');
      // Until the miner has it, commands still use the old login.
      const before = await run(
        rig,
        rig.cloud.sign({ minerIds: [id], reboot: undefined, setLed: { on: true } }),
        [id],
      );
      t.same(rig.cloud.statesOf(before, id).at(-1), 'succeeded', 'the old login still in use');

      const rotation = await run(
        rig,
        rig.cloud.sign({
          minerIds: [id],
          reboot: undefined,
          updateCredentials: { credentialId: 'rotated', credentialVersion: 1 },
        }),
        [id],
      );
      t.same(rig.cloud.statesOf(rotation, id), ['received', 'running', 'succeeded']);
      await t.rejects(
        observer.checkLogin(target, LOGIN),
        { code: 'MINER_AUTH_FAILED' },
        'the old login is refused',
      );
      await observer.checkLogin(target, next);
      t.match(
        cache.forMiner(id, scope),
        { credentialId: 'rotated', version: 1, pending: false },
        'now in use',
      );
      const after = await run(
        rig,
        rig.cloud.sign({ minerIds: [id], reboot: undefined, setLed: { on: false } }),
        [id],
      );
      t.same(rig.cloud.statesOf(after, id).at(-1), 'succeeded', 'commands work with the new login');
      t.equal(miner!.state().led, false);
      t.notOk(
        rig.logs.some((line) => line.includes(next.password) || line.includes(LOGIN.password)),
        'no login in any log line',
      );
    },
  );
}

t.test(
  'a rotation the miner acknowledges but does not apply times out and keeps the old login',
  async (t) => {
    const rig = await setup(t);
    const [miner] = await startMiners(t, 'whatsminer', 1);
    const [id] = (await addToInventory(rig.inventory, [miner!])) as [string];
    const cache = new CredentialCache(rig.store.db);
    await siteLogin(rig);
    await rig.cloud.publish(
      'credential',
      rig.cloud.seal(
        rig.boxKey,
        { username: 'admin', password: 'N3wPass8' },
        { credentialId: 'r', minerIds: [id] },
      ),
    );
    await waitFor('pending login cached', () => cache.get('r'));
    await miner!.setFault('ignore-control');
    const rotation = await run(
      rig,
      rig.cloud.sign({
        minerIds: [id],
        effectTimeoutS: 1,
        reboot: undefined,
        updateCredentials: { credentialId: 'r', credentialVersion: 1 },
      }),
      [id],
    );
    t.same(rig.cloud.statesOf(rotation, id), ['received', 'running', 'timed_out']);
    t.match(cache.forMiner(id, WEB), { credentialId: 'site' }, 'the old login stays in use');
    t.match(cache.unclaimedPending(id, WEB), { credentialId: 'r' }, 'the new one stays a fallback');
    await miner!.setFault('none');
    const led = await run(rig, rig.cloud.sign({ minerIds: [id], reboot: undefined, setLed: { on: true } }), [
      id,
    ]);
    t.same(rig.cloud.statesOf(led, id).at(-1), 'succeeded', 'the miner still opens with the old login');
  },
);

t.test('a login changed behind the agent’s back: the pending version is tried and kept', async (t) => {
  const rig = await setup(t);
  const [miner] = await startMiners(t, 'whatsminer', 1);
  const [id] = (await addToInventory(rig.inventory, [miner!])) as [string];
  const cache = new CredentialCache(rig.store.db);
  await siteLogin(rig);
  const next = { username: 'admin', password: 'N3wPass8' };
  await rig.cloud.publish(
    'credential',
    rig.cloud.seal(rig.boxKey, next, { credentialId: 'r', minerIds: [id] }),
  );
  await waitFor('pending login cached', () => cache.get('r'));
  // Someone else changed the miner's password (a rotation whose result the agent never saw).
  const observer = minerObserver({ timeoutMs: 3000 });
  const target = { minerId: id, ip: miner!.ip, port: 4028, driver: rig.inventory.get(id)!.driver };
  await minerControl({ timeoutMs: 3000 })(target, { kind: 'set-login', ...next }, LOGIN);
  await observer.checkLogin(target, next);
  const led = await run(rig, rig.cloud.sign({ minerIds: [id], reboot: undefined, setLed: { on: true } }), [
    id,
  ]);
  t.same(
    rig.cloud.statesOf(led, id).at(-1),
    'succeeded',
    'the refused old login fell back to the pending one',
  );
  t.match(cache.forMiner(id, WEB), { credentialId: 'r', pending: false }, 'which is now in use');
});

t.test('a timed LED goes off even when the executor restarts in between', async (t) => {
  const rig = await setup(t);
  const [miner] = await startMiners(t, 'whatsminer', 1);
  const [id] = (await addToInventory(rig.inventory, [miner!])) as [string];
  await siteLogin(rig);
  const led = await run(
    rig,
    rig.cloud.sign({ minerIds: [id], reboot: undefined, setLed: { on: true, durationS: 1 } }),
    [id],
  );
  t.same(rig.cloud.statesOf(led, id).at(-1), 'succeeded');
  await rig.executor.stop(); // the agent stops before the LED's time
  const timers = new LedTimers(rig.store.db);
  t.match(timers.all(), [{ minerId: id, commandId: led }], 'the off-time is journaled');
  await new Promise((resolve) => setTimeout(resolve, 1300));
  t.equal(miner!.state().led, true, 'nobody turned it off while the agent was down');
  const restarted = rig.newExecutor();
  restarted.start();
  t.teardown(() => restarted.stop());
  await waitFor('the overdue LED off', () => (miner!.state().led ? undefined : true), { timeoutMs: 5000 });
  await waitFor('the timer forgotten', () => (timers.all().length === 0 ? true : undefined));
  t.pass('turned off at start, timer forgotten');
});

t.test('an LED set on for good cancels an earlier timer', async (t) => {
  const rig = await setup(t);
  const [miner] = await startMiners(t, 'whatsminer', 1);
  const [id] = (await addToInventory(rig.inventory, [miner!])) as [string];
  await siteLogin(rig);
  await run(rig, rig.cloud.sign({ minerIds: [id], reboot: undefined, setLed: { on: true, durationS: 1 } }), [
    id,
  ]);
  await run(rig, rig.cloud.sign({ minerIds: [id], reboot: undefined, setLed: { on: true } }), [id]);
  t.same(new LedTimers(rig.store.db).all(), [], 'no timer left');
  await new Promise((resolve) => setTimeout(resolve, 1300));
  t.equal(miner!.state().led, true, 'still on');
});
