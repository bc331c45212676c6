// The command path on real parts: a stand-in cloud signs commands and seals credentials on a real aedes broker, the
// agent's real CloudSync carries them, the executor journals them in a real store and runs them through the real
// drivers against virtual miners on their own loopback addresses.
import { hashinsight } from '@hashinsight/protocol';
import { waitFor } from '@hashinsight/testkit';
import { generateKeyPair } from '@hashinsight/vault';
import pino from 'pino';
import t from 'tap';
import { CredentialCache, LedTimers } from '../store/index.js';
import { minerControl, minerObserver } from './control.js';
import { CommandExecutor } from './executor.js';
import { run, setup } from './test/executor-rig.js';
import { addToInventory, CloudSigner, LOGIN, StandInCloud, startMiners } from './test/rig.js';

const { PowerMode } = hashinsight.v1;

t.test('every action reaches the simulated miner, with its login opened only for the call', async (t) => {
  const rig = await setup(t);
  const [whatsminer] = await startMiners(t, 'whatsminer', 1);
  const [minerId] = await addToInventory(rig.inventory, [whatsminer!]);
  const miner = whatsminer!;
  const id = minerId!;

  // Without its login the Whatsminer refuses privileged commands: the failure is reported with its reason.
  const noLogin = await run(
    rig,
    rig.cloud.sign({ minerIds: [id], reboot: undefined, setLed: { on: true } }),
    [id],
  );
  t.same(rig.cloud.statesOf(noLogin, id), ['received', 'running', 'failed']);
  t.match(rig.cloud.last(noLogin, id), { errorCode: 'MINER_AUTH_FAILED' });
  t.equal(miner.state().led, false, 'nothing changed');

  // The site default login arrives sealed; it is kept sealed.
  await rig.cloud.publish('credential', rig.cloud.seal(rig.boxKey, LOGIN, { credentialId: 'site-default' }));
  await waitFor('credential cached', () => new CredentialCache(rig.store.db).get('site-default'));
  const stored = rig.store.db.prepare('SELECT payload FROM sealed_credential').all() as { payload: Buffer }[];
  t.notOk(
    stored.some((row) => row.payload.includes(Buffer.from(`"password":"${LOGIN.password}"`))),
    'sealed at rest',
  );

  const sign = (action: Record<string, unknown>) =>
    rig.cloud.sign({ minerIds: [id], reboot: undefined, ...action });
  const check = async (name: string, action: Record<string, unknown>, effect: () => boolean) => {
    const commandIdValue = await run(rig, sign(action), [id]);
    t.same(rig.cloud.statesOf(commandIdValue, id), ['received', 'running', 'succeeded'], `${name}: reported`);
    t.ok(effect(), `${name}: the miner changed`);
    t.same(
      rig.journal.targets(commandIdValue).map((r) => r.state),
      ['succeeded'],
      `${name}: journaled`,
    );
  };
  await check('led on', { setLed: { on: true } }, () => miner.state().led);
  await check('led off', { setLed: { on: false } }, () => !miner.state().led);
  await check(
    'power mode low',
    { setPowerMode: { mode: PowerMode.POWER_MODE_LOW } },
    () => miner.state().powerMode === 'low',
  );
  await check(
    'power mode high',
    { setPowerMode: { mode: PowerMode.POWER_MODE_HIGH } },
    () => miner.state().powerMode === 'high',
  );
  await check(
    'power mode normal',
    { setPowerMode: { mode: PowerMode.POWER_MODE_NORMAL } },
    () => miner.state().powerMode === 'normal',
  );
  await check('power limit', { setPowerLimit: { watts: 3000 } }, () => miner.state().powerLimitW === 3000);
  await check(
    'power mode sleep',
    { setPowerMode: { mode: PowerMode.POWER_MODE_SLEEP } },
    () => miner.state().asleep,
  );
  await check('wake', { wake: {} }, () => !miner.state().asleep);
  await check('sleep', { sleep: {} }, () => miner.state().asleep);
  await check('wake again', { wake: {} }, () => !miner.state().asleep);
  const startsBefore = miner.state().miningStarts;
  await check('restart mining', { restartMining: {} }, () => miner.state().miningStarts === startsBefore + 1);

  // Pools: the pool password travels sealed and is opened only for the call.
  await rig.cloud.publish(
    'credential',
    rig.cloud.seal(
      rig.boxKey,
      { username: '', password: 'p00lsecret' },
      { credentialId: 'pool-a', minerIds: ['none'] },
    ),
  );
  await waitFor('pool credential cached', () => new CredentialCache(rig.store.db).get('pool-a'));
  await check(
    'set pools',
    {
      setPools: {
        pools: [
          { url: 'stratum+tcp://pool-a.invalid:3333', user: 'rig7', passwordCredentialId: 'pool-a' },
          { url: 'stratum+tcp://pool-b.invalid:443', user: 'rig7b' },
        ],
      },
    },
    () => {
      const pools = miner.state().pools.filter((p) => p.url !== '');
      return pools[0]?.password === 'p00lsecret' && pools[1]?.password === 'x' && pools[0]?.user === 'rig7';
    },
  );
  const missingPool = await run(
    rig,
    sign({
      setPools: { pools: [{ url: 'stratum+tcp://p.invalid:1', user: 'u', passwordCredentialId: 'nope' }] },
    }),
    [id],
  );
  t.match(
    rig.cloud.last(missingPool, id),
    { errorCode: 'COMMAND_CREDENTIAL_MISSING' },
    'an unknown pool credential',
  );

  // LED with a duration goes off again by itself.
  await check('led for a while', { setLed: { on: true, durationS: 1 } }, () => miner.state().led);
  await waitFor('the LED off again', () => (miner.state().led ? undefined : true), { timeoutMs: 5000 });
  t.pass('the LED went off after its duration');

  // Credential rotation: the sealed login must be held at that version, and the miner must take it (btminer wants
  // 1-8 letters or digits: this one is refused before any request, and the pending version is dropped).
  const missing = await run(
    rig,
    sign({ updateCredentials: { credentialId: 'new-login', credentialVersion: 2 } }),
    [id],
  );
  t.match(rig.cloud.last(missing, id), { errorCode: 'COMMAND_CREDENTIAL_MISSING' });
  await rig.cloud.publish(
    'credential',
    rig.cloud.seal(rig.boxKey, LOGIN, { credentialId: 'new-login', version: 2, minerIds: [id] }),
  );
  await waitFor('rotation credential cached', () => new CredentialCache(rig.store.db).get('new-login'));
  const refused = await run(
    rig,
    sign({ updateCredentials: { credentialId: 'new-login', credentialVersion: 2 } }),
    [id],
  );
  t.match(rig.cloud.last(refused, id), {
    state: hashinsight.v1.CommandState.COMMAND_STATE_FAILED,
    errorCode: 'MINER_BAD_ARGUMENT',
  });
  t.equal(new CredentialCache(rig.store.db).get('new-login'), undefined, 'the refused login is dropped');

  const rebootsBefore = miner.state().reboots;
  await check('reboot', { reboot: {} }, () => miner.state().reboots === rebootsBefore + 1);

  // The miner login and the pool password were used, yet appear in no log line and in no MQTT payload.
  t.ok(rig.logs.length > 20 && rig.wire.length > 20, 'logs and payloads were captured');
  for (const secret of [LOGIN.password, 'p00lsecret']) {
    for (const form of [
      secret,
      Buffer.from(secret).toString('base64'),
      Buffer.from(secret).toString('hex'),
    ]) {
      t.notOk(
        rig.logs.some((line) => line.includes(form)),
        `no log line holds ${form.slice(0, 4)}…`,
      );
      t.notOk(
        rig.wire.some((payload) => payload.includes(form)),
        `no payload holds ${form.slice(0, 4)}…`,
      );
    }
  }
});

t.test('credentials that are not ours, not the cloud’s or not sealed to our key are not kept', async (t) => {
  const rig = await setup(t);
  const cache = new CredentialCache(rig.store.db);
  const otherBox = generateKeyPair('x25519');
  const forger = new StandInCloud(rig.broker, rig.agentId);
  await rig.cloud.publish('credential', rig.cloud.seal(otherBox, LOGIN, { credentialId: 'to-another-box' }));
  await rig.cloud.publish('credential', forger.seal(rig.boxKey, LOGIN, { credentialId: 'forged' }));
  await rig.cloud.publish(
    'credential',
    rig.cloud.seal(rig.boxKey, LOGIN, { credentialId: 'other-agent', agentId: 'agent-x' }),
  );
  await rig.cloud.publish('credential', Buffer.from('not a credential'));
  await rig.cloud.publish(
    'credential',
    rig.cloud.seal(rig.boxKey, LOGIN, { credentialId: 'good', version: 3 }),
  );
  await rig.cloud.publish(
    'credential',
    rig.cloud.seal(rig.boxKey, LOGIN, { credentialId: 'good', version: 2 }),
  );
  await waitFor('the good one kept', () => cache.get('good'));
  await new Promise((resolve) => setTimeout(resolve, 200));
  for (const id of ['to-another-box', 'forged', 'other-agent'])
    t.equal(cache.get(id), undefined, `${id} not kept`);
  t.equal(cache.get('good')?.version, 3, 'an older version does not replace a newer one');
  t.match(rig.logs.join(''), /VAULT_WRONG_RECIPIENT/);
  t.match(rig.logs.join(''), /VAULT_UNKNOWN_KEY/);
  t.match(rig.logs.join(''), /credential for another agent ignored/);
});

t.test('a stock Antminer is commanded over its web CGI with the sealed login', async (t) => {
  const rig = await setup(t);
  const miners = await startMiners(t, 'antminer', 1, rig.webPort);
  const [id] = await addToInventory(rig.inventory, miners, rig.webPort);
  await rig.cloud.publish('credential', rig.cloud.seal(rig.boxKey, LOGIN, { minerIds: [id!] }));
  await waitFor('credential cached', () => new CredentialCache(rig.store.db).forMiner(id!, 1));
  const led = await run(rig, rig.cloud.sign({ minerIds: [id!], reboot: undefined, setLed: { on: true } }), [
    id!,
  ]);
  t.same(rig.cloud.statesOf(led, id!), ['received', 'running', 'succeeded']);
  t.equal(miners[0]!.state().led, true);
  const reboot = await run(rig, rig.cloud.sign({ minerIds: [id!] }), [id!]);
  t.same(rig.cloud.statesOf(reboot, id!), ['received', 'running', 'succeeded']);
  t.equal(miners[0]!.state().reboots, 1);
  // An action this firmware does not have fails before any request.
  const limit = await run(
    rig,
    rig.cloud.sign({ minerIds: [id!], reboot: undefined, setPowerLimit: { watts: 3000 } }),
    [id!],
  );
  t.match(rig.cloud.last(limit, id!), { errorCode: 'MINER_UNSUPPORTED' });
});

t.test(
  'expired, tampered, replayed, foreign and unsigned commands never run and are journaled',
  async (t) => {
    const rig = await setup(t);
    const miners = await startMiners(t, 'whatsminer', 1);
    const [id] = (await addToInventory(rig.inventory, miners)) as [string];
    await rig.cloud.publish('credential', rig.cloud.seal(rig.boxKey, LOGIN));
    await waitFor('credential', () => new CredentialCache(rig.store.db).forMiner(id, 1));
    const miner = miners[0]!;

    const expired = rig.cloud.sign({ minerIds: [id], expiresAtMs: Date.now() - 1 });
    const expiredId = await run(rig, expired, [id]);
    t.same(rig.cloud.statesOf(expiredId, id), ['expired'], 'reported EXPIRED');
    t.match(rig.journal.command(expiredId), { verdict: 'COMMAND_EXPIRED' });

    const unknown = rig.cloud.sign({ minerIds: [id, 'ffffffffffff'] });
    const unknownId = await run(rig, unknown, [id, 'ffffffffffff']);
    t.same(
      rig.cloud.statesOf(unknownId, id),
      ['rejected'],
      'a command naming a miner not ours is rejected whole',
    );
    t.match(rig.cloud.last(unknownId, id), { errorCode: 'COMMAND_UNKNOWN_MINER', message: /ffffffffffff/ });

    const tooLong = rig.cloud.sign({ minerIds: [id], expiresAtMs: Date.now() + 30 * 24 * 3600 * 1000 });
    const tooLongId = await run(rig, tooLong, [id]);
    t.match(rig.cloud.last(tooLongId, id), { errorCode: 'COMMAND_LIFETIME_TOO_LONG' });

    // Refusals: journaled, never reported (their ids may belong to real commands), never run.
    const good = rig.cloud.sign({ minerIds: [id] });
    const tampered = Buffer.from(good);
    tampered[5] = (tampered[5] as number) ^ 1;
    const forged = rig.cloud.sign({ minerIds: [id] }, generateKeyPair('ed25519'));
    // Signed by the real cloud key, but for another agent (copied onto this agent's topic).
    const otherAgent = new CloudSigner('agent-someone-else', rig.cloud.key).sign({ minerIds: [id] });
    const unsigned = hashinsight.v1.Command.encode({
      commandId: 'unsigned1',
      agentId: rig.agentId,
      nonce: Buffer.alloc(16, 9),
      minerIds: [id],
      expiresAtMs: Date.now() + 60_000,
      reboot: {},
    }).finish();
    for (const bytes of [
      tampered,
      forged,
      otherAgent,
      unsigned,
      Buffer.from('garbage'),
      Buffer.alloc(300 * 1024),
      rig.cloud.sign({ minerIds: [id], expiresAtMs: Date.now() - 2 * 24 * 3600 * 1000 }),
    ]) {
      await rig.cloud.publish('command', bytes);
    }
    await waitFor('seven refusals', () => (rig.journal.refusals().length >= 7 ? true : undefined));
    t.same(
      rig.journal
        .refusals()
        .map((r) => r.code)
        .reverse(),
      [
        'COMMAND_BAD_SIGNATURE',
        'COMMAND_UNKNOWN_KEY',
        'COMMAND_WRONG_AGENT',
        'COMMAND_UNSIGNED',
        'COMMAND_MALFORMED',
        'COMMAND_MALFORMED',
        'COMMAND_STALE',
      ],
      'a command expired days ago may be a replay of a pruned one: refused, not reported',
    );

    // Replays: the same bytes again, and the same nonce under a new id (not possible without the key, so re-signed).
    const first = await run(rig, good, [id]);
    t.equal(miner.state().reboots, 1, 'the real command ran');
    await waitFor('booted', () => (miner.state().rebooting ? undefined : true));
    await rig.cloud.publish('command', good);
    const nonce = hashinsight.v1.Command.decode(good).nonce;
    await rig.cloud.publish('command', rig.cloud.sign({ minerIds: [id], nonce }));
    await waitFor('two replays refused', () =>
      rig.journal.refusals().filter((r) => r.code === 'COMMAND_REPLAYED').length === 2 ? true : undefined,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    t.equal(miner.state().reboots, 1, 'nothing else ever rebooted the miner');
    t.same(rig.cloud.statesOf(first, id), ['received', 'running', 'succeeded'], 'a replay reports nothing');
    t.equal(rig.cloud.updates.filter((u) => ['unsigned1'].includes(u.commandId)).length, 0);
  },
);

t.test('a site-wide command runs at most `concurrency` miners at once, all of them once', async (t) => {
  let inFlight = 0;
  let peak = 0;
  const rig = await setup(t, {
    concurrency: 2,
    control: (real) => async (target, operation, login) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      try {
        await real(target, operation, login);
        await new Promise((resolve) => setTimeout(resolve, 50));
      } finally {
        inFlight--;
      }
    },
  });
  const miners = await startMiners(t, 'whatsminer', 6);
  const ids = await addToInventory(rig.inventory, miners);
  await rig.cloud.publish('credential', rig.cloud.seal(rig.boxKey, LOGIN));
  await waitFor('credential', () => new CredentialCache(rig.store.db).forMiner(ids[0]!, 1));
  const id = await run(rig, rig.cloud.sign({ minerIds: ids, reboot: undefined, setLed: { on: true } }), ids);
  t.equal(peak, 2, 'two at a time');
  t.ok(
    miners.every((m) => m.state().led),
    'every miner lit',
  );
  t.same(
    rig.journal.targets(id).map((r) => r.state),
    Array(6).fill('succeeded'),
  );
});

t.test('updates that cannot be sent wait for the next connection', async (t) => {
  // The miner call waits until the broker has dropped the agent, so the result is journaled while disconnected.
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const rig = await setup(t, {
    control: (real) => async (target, operation, login) => {
      await gate;
      await real(target, operation, login);
    },
  });
  const miners = await startMiners(t, 'whatsminer', 1);
  const [id] = (await addToInventory(rig.inventory, miners)) as [string];
  await rig.cloud.publish('credential', rig.cloud.seal(rig.boxKey, LOGIN));
  await waitFor('credential', () => new CredentialCache(rig.store.db).forMiner(id, 1));
  const bytes = rig.cloud.sign({ minerIds: [id], reboot: undefined, setLed: { on: true } });
  const commandIdValue = hashinsight.v1.Command.decode(bytes).commandId;
  await rig.cloud.publish('command', bytes);
  await waitFor('running reported', () =>
    rig.cloud.statesOf(commandIdValue, id).includes('running') ? true : undefined,
  );
  rig.broker.dropClients();
  await waitFor('the agent saw the drop', () => (rig.sync.isConnected ? undefined : true));
  release();
  await waitFor('succeeded in the journal', () =>
    rig.journal.targets(commandIdValue)[0]?.state === 'succeeded' ? true : undefined,
  );
  t.ok(
    rig.journal.unreported().some((u) => u.commandId === commandIdValue && u.state === 'succeeded'),
    'the result waits in the journal (the fault happened)',
  );
  t.notOk(rig.cloud.statesOf(commandIdValue, id).includes('succeeded'), 'the cloud does not have it yet');
  await waitFor(
    'reported after the reconnect',
    () => (rig.cloud.statesOf(commandIdValue, id).includes('succeeded') ? true : undefined),
    { timeoutMs: 15_000 },
  );
  t.same(
    rig.cloud.statesOf(commandIdValue, id),
    ['received', 'running', 'succeeded'],
    'every state, in order',
  );
  t.same(rig.journal.unreported(), [], 'nothing left unreported');
  t.equal(miners[0]!.state().led, true);
});

t.test(
  'a command journaled but not started when the agent stopped runs once after the restart',
  async (t) => {
    const rig = await setup(t);
    const miners = await startMiners(t, 'whatsminer', 1);
    const [id] = (await addToInventory(rig.inventory, miners)) as [string];
    await rig.cloud.publish('credential', rig.cloud.seal(rig.boxKey, LOGIN));
    await waitFor('credential', () => new CredentialCache(rig.store.db).forMiner(id, 1));
    await rig.executor.stop();
    // As if the agent died right after journaling: the command is 'received' and nothing was sent to the miner.
    const bytes = rig.cloud.sign({ minerIds: [id], reboot: undefined, setLed: { on: true } });
    const command = hashinsight.v1.Command.decode(bytes);
    t.ok(
      rig.journal.record(
        {
          commandId: command.commandId,
          nonce: command.nonce,
          receivedMs: Date.now(),
          expiresAtMs: command.expiresAtMs,
          payload: bytes,
          verdict: 'accepted',
        },
        [{ minerId: id, state: 'received' }],
      ),
    );
    let calls = 0;
    const restarted = new CommandExecutor({
      journal: rig.journal,
      credentials: new CredentialCache(rig.store.db),
      inventory: rig.inventory,
      channel: rig.sync,
      identity: {
        agentId: rig.agentId,
        commandKeys: [{ keyId: rig.cloud.key.keyId, publicKey: rig.cloud.key.publicKey }],
        boxKey: rig.boxKey,
      },
      control: async (target, operation, login) => {
        calls++;
        await minerControl({ timeoutMs: 3000 })(target, operation, login);
      },
      observer: minerObserver({ timeoutMs: 3000 }),
      ledTimers: new LedTimers(rig.store.db),
      logger: pino({ level: 'silent' }),
    });
    restarted.start();
    t.teardown(() => restarted.stop());
    await waitFor('reported', () =>
      rig.cloud.statesOf(command.commandId, id).includes('succeeded') ? true : undefined,
    );
    t.same(rig.cloud.statesOf(command.commandId, id), ['received', 'running', 'succeeded']);
    t.equal(calls, 1, 'one miner call');
    t.equal(miners[0]!.state().led, true);
  },
);
