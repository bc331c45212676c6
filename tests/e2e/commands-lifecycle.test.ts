// Each command type through the whole system (API -> engine -> signed Command over MQTT -> agent -> virtual
// Whatsminer -> observed effect -> CommandUpdate -> API): the miner changes as asked, and the target reaches
// succeeded only once the agent has seen the effect. A miner that acknowledges and does nothing times out; one that
// refuses fails. The live stream (SSE) carries the target changes.
import { waitFor } from '@hashinsight/testkit';
import t from 'tap';
import {
  type CommandSystem,
  type CommandView,
  type SystemMiner,
  sendCommand,
  settle,
  startCommandSystem,
  submit,
  targetsOf,
} from './commands-harness.js';

/** Sends (approved by the second operator when the policy asks) and waits for the outcome. */
const run = async (system: CommandSystem, body: Record<string, unknown>, timeoutMs = 40_000) =>
  settle(system, await submit(system, body), { timeoutMs });

const one = (miner: SystemMiner) => targetsOf([miner]);

// Whole-system scenarios take minutes on a shared 2-vCPU box: more than the suite's 120 s per file.
t.setTimeout(600_000);

t.test(
  'every command type changes the miner and succeeds on the observed effect',
  { timeout: 240_000 },
  async (t) => {
    const system = await startCommandSystem(t, { minersPerAgent: 6, rebootMs: 2500 });
    const miners = await system.miners();
    const [a, b, c, d, e, f] = miners as [SystemMiner, ...SystemMiner[]] & SystemMiner[];
    if (!a || !b || !c || !d || !e || !f) throw new Error('six miners');

    await t.test('reboot: succeeded only after the miner is back and hashing', async (t) => {
      const sent = await sendCommand(system, { type: 'reboot', targets: one(a) });
      t.equal(sent.status, 201, sent.text);
      const id = (sent.body.data as { id: string }).id;
      // Watch the miner and the command together: succeeded must never be seen while the miner is down.
      let sawDown = false;
      let succeededWhileDown = false;
      const done = await waitFor(
        'reboot settled',
        async () => {
          const down = a.virtual.state().rebooting;
          sawDown ||= down;
          const command = await system.ok<CommandView>('GET', `/api/commands/${id}`, { token: system.owner });
          const state = command.targets[0]?.state;
          if (state === 'succeeded' && a.virtual.state().rebooting) succeededWhileDown = true;
          return state && ['succeeded', 'failed', 'timed_out', 'rejected', 'expired'].includes(state)
            ? command
            : undefined;
        },
        { timeoutMs: 40_000, intervalMs: 50 },
      );
      t.equal(done.targets[0]?.state, 'succeeded', JSON.stringify(done.targets[0]));
      t.ok(sawDown, 'the miner really went down');
      t.notOk(succeededWhileDown, 'never succeeded while the miner was still rebooting');
      t.equal(a.virtual.state().reboots, 1, 'rebooted exactly once');
      t.ok((a.virtual.snapshot()?.hashrateMhs ?? 0) > 0, 'hashing again');
      t.ok(done.targets[0]?.finishedAt, 'finished at a time');
    });

    await t.test('restart_mining: succeeded once the program runs again', async (t) => {
      const before = b.virtual.state().miningStarts;
      const done = await run(system, { type: 'restart_mining', targets: one(b), effectTimeoutSeconds: 12 });
      const target = done.targets[0];
      t.equal(target?.state, 'succeeded', JSON.stringify(target));
      t.equal(b.virtual.state().miningStarts, before + 1, 'mining restarted once');
      const tookMs = Date.parse(String(target?.finishedAt)) - Date.parse(String(target?.startedAt));
      t.ok(tookMs < 10_000, `seen well before the 12 s deadline (${tookMs} ms)`);
    });

    await t.test('set_pools with a pool password: the new pool is active', async (t) => {
      const url = 'stratum+tcp://pool.e2e.test:3333';
      const done = await run(system, {
        type: 'set_pools',
        targets: one(c),
        params: { pools: [{ url, user: 'e2e.worker', password: 'x-pool-secret' }] },
      });
      t.equal(done.targets[0]?.state, 'succeeded', JSON.stringify(done.targets[0]));
      const pool = c.virtual.state().pools.find((p) => p.url === url);
      t.ok(pool?.active, 'the new pool is the active one');
      t.equal(pool?.password, 'x-pool-secret', 'the password reached the miner (sealed on the way)');
      t.notMatch(JSON.stringify(done), /x-pool-secret/, 'and is not in the command the API shows');
    });

    await t.test('led on with a duration: on, then off again', async (t) => {
      const done = await run(system, {
        type: 'led',
        targets: one(d),
        params: { on: true, durationS: 2 },
      });
      t.equal(done.targets[0]?.state, 'succeeded', JSON.stringify(done.targets[0]));
      t.equal(d.virtual.state().led, true, 'on');
      await waitFor('LED off after its duration', () => (d.virtual.state().led ? undefined : true), {
        timeoutMs: 10_000,
      });
      t.pass('off after the duration');
    });

    await t.test('power_mode sleep, then wake', async (t) => {
      const slept = await run(system, {
        type: 'power_mode',
        targets: one(e),
        params: { mode: 'sleep' },
      });
      t.equal(slept.targets[0]?.state, 'succeeded', JSON.stringify(slept.targets[0]));
      t.equal(e.virtual.state().asleep, true, 'asleep');
      const woke = await run(system, { type: 'wake', targets: one(e) });
      t.equal(woke.targets[0]?.state, 'succeeded', JSON.stringify(woke.targets[0]));
      t.equal(e.virtual.state().asleep, false, 'awake');
    });

    await t.test('power_mode low and power_limit_w', async (t) => {
      const low = await run(system, { type: 'power_mode', targets: one(f), params: { mode: 'low' } });
      t.equal(low.targets[0]?.state, 'succeeded', JSON.stringify(low.targets[0]));
      t.equal(f.virtual.state().powerMode, 'low');
      const limited = await run(system, {
        type: 'power_limit_w',
        targets: one(f),
        params: { watts: 2800 },
      });
      t.equal(limited.targets[0]?.state, 'succeeded', JSON.stringify(limited.targets[0]));
      t.equal(f.virtual.state().powerLimitW, 2800);
    });

    await t.test('update_credentials: the miner takes the new login, then it is the one used', async (t) => {
      // The operator first records the login the miners have now (Whatsminer's admin password as shipped).
      await system.ok('PUT', '/api/credentials', {
        token: system.owner,
        body: {
          scope: { kind: 'site', siteId: b.siteId },
          purpose: 'api',
          username: 'admin',
          password: 'admin',
        },
      });
      const password = `r${process.pid % 10_000_000}`; // btminer takes 1-8 letters or digits
      const done = await run(system, {
        type: 'update_credentials',
        targets: one(b),
        params: { purpose: 'api', username: 'admin', password },
      });
      t.equal(done.targets[0]?.state, 'succeeded', JSON.stringify(done.targets[0]));
      t.notMatch(JSON.stringify(done), new RegExp(password), 'the password is not in the command shown');
      // The agent now talks to the miner with the new login: a privileged command still works.
      const after = await run(system, { type: 'led', targets: one(b), params: { on: true } });
      t.equal(after.targets[0]?.state, 'succeeded', JSON.stringify(after.targets[0]));
      t.equal(b.virtual.state().led, true);
    });
  },
);

t.test(
  'no effect, no success: an ignoring miner times out, a refusing one fails',
  { timeout: 90_000 },
  async (t) => {
    const system = await startCommandSystem(t, { minersPerAgent: 3 });
    const [ignoring, refusing, healthy] = (await system.miners()) as [SystemMiner, SystemMiner, SystemMiner];
    await ignoring.virtual.setFault('ignore-control');
    await refusing.virtual.setFault('control-fails');
    const url = 'stratum+tcp://effect.e2e.test:3333';
    const done = await run(system, {
      type: 'set_pools',
      targets: targetsOf([ignoring, refusing, healthy]),
      params: { pools: [{ url, user: 'e2e.effect' }] },
      effectTimeoutSeconds: 4,
    });
    const of = (m: SystemMiner) => done.targets.find((x) => x.minerId === m.minerId);
    t.equal(
      of(healthy)?.state,
      'succeeded',
      `the same command works on a healthy miner: ${JSON.stringify(of(healthy))}`,
    );
    t.equal(of(ignoring)?.state, 'timed_out', `acknowledged but not done: ${JSON.stringify(of(ignoring))}`);
    t.equal(of(ignoring)?.errorCode, 'COMMAND_EFFECT_TIMEOUT');
    t.notOk(
      ignoring.virtual.state().pools.some((p) => p.url === url),
      'the ignoring miner really did nothing',
    );
    t.equal(of(refusing)?.state, 'failed', `refused: ${JSON.stringify(of(refusing))}`);
    t.ok(of(refusing)?.errorCode, 'with an error code');
  },
);

t.test(
  'the live stream carries each target change until the command is done',
  { timeout: 90_000 },
  async (t) => {
    const system = await startCommandSystem(t, { minersPerAgent: 1 });
    const [miner] = (await system.miners()) as [SystemMiner];
    // A one-miner site: the command needs a second operator, so the stream is open before anything happens.
    const sent = await sendCommand(system, { type: 'led', targets: one(miner), params: { on: true } });
    const created = sent.body.data as { id: string; requiresApproval: boolean; canonicalHash: string };
    const id = created.id;
    t.equal(created.requiresApproval, true, 'waits for approval');
    const response = await fetch(`${system.cloud.httpUrl}/api/commands/${id}/events`, {
      headers: { authorization: `Bearer ${system.owner}`, accept: 'text/event-stream' },
    });
    t.equal(response.status, 200);
    t.match(response.headers.get('content-type') ?? '', /text\/event-stream/);
    // Read as it comes: the target's success, then the end of the stream (within a heartbeat, 15 s).
    await system.ok('POST', `/api/commands/${id}/approve`, {
      token: system.second,
      body: { canonicalHash: created.canonicalHash },
    });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    let ended = false;
    const deadline = Date.now() + 45_000;
    while (Date.now() < deadline) {
      const next = await Promise.race([
        reader.read(),
        new Promise<undefined>((r) => setTimeout(() => r(undefined), deadline - Date.now())),
      ]);
      if (next === undefined) break;
      if (next.done) {
        ended = true;
        break;
      }
      text += decoder.decode(next.value, { stream: true });
    }
    if (!ended) await reader.cancel();
    system.capture.http.push(`SSE ${id} ${text}`);
    t.match(text, /event: snapshot/, 'a snapshot first');
    t.match(text, /event: target\ndata: [^\n]*"state":"dispatched"/, 'the dispatch was streamed');
    t.match(text, /event: target\ndata: [^\n]*"state":"succeeded"/, 'the success was streamed');
    t.ok(ended, 'the stream ended once the command was done');
    t.match(text, /event: end/, 'with an end event');
    t.equal(miner.virtual.state().led, true);
  },
);
