// kill -9 of a real agent process at each point between a command's receipt and its report: the reboot is never
// run twice, and the cloud still learns an outcome. Points: before the message arrives (the agent is down when it
// is sent), journaled but not started (the only command slot is busy), during the observation of the effect (the
// miner is rebooting), and after the result is journaled but before the broker has the update (link cut).
import { waitFor } from '@hashinsight/testkit';
import t from 'tap';
import {
  type AgentNode,
  type CommandView,
  type SystemMiner,
  sendCommand,
  settle,
  startCommandSystem,
  submit,
  targetsOf,
} from './commands-harness.js';

function targetState(node: AgentNode, minerId: string) {
  const db = node.openStore();
  try {
    return db
      .prepare(
        `SELECT t.state, t.reported FROM command_target t JOIN command c USING (command_id)
         WHERE t.miner_id = ? ORDER BY c.received_ms DESC LIMIT 1`,
      )
      .get(minerId) as { state: string; reported: number } | undefined;
  } finally {
    db.close();
  }
}

// Whole-system scenarios take minutes on a shared 2-vCPU box: more than the suite's 120 s per file.
t.setTimeout(600_000);

t.test(
  'kill -9 at each point between receipt and report never reboots twice',
  { timeout: 480_000 },
  async (t) => {
    const system = await startCommandSystem(t, {
      agentProcess: true,
      minersPerAgent: 5,
      rebootMs: 4000,
      agentEnv: { HASHINSIGHT_AGENT_COMMAND_CONCURRENCY: '1' },
    });
    const [node] = system.agents as [AgentNode];
    const [early, busy, slow, waiting, late] = (await system.miners()) as [SystemMiner, ...SystemMiner[]] &
      SystemMiner[];
    if (!early || !busy || !slow || !waiting || !late) throw new Error('five miners');
    const reboot = (miner: SystemMiner) => submit(system, { type: 'reboot', targets: targetsOf([miner]) });

    await t.test('killed before the command arrives', async (t) => {
      await node.kill9();
      const sent = await sendCommand(system, {
        type: 'reboot',
        targets: targetsOf([early]),
        expiresInSeconds: 30,
        effectTimeoutSeconds: 60,
      });
      t.equal(sent.status, 201, sent.text);
      await new Promise((r) => setTimeout(r, 1000));
      await node.start();
      const done = await settle(system, (sent.body.data as { id: string }).id, { timeoutMs: 150_000 });
      // Published while the agent was away (clean session: the broker kept nothing); redelivered on its birth.
      t.equal(done.targets[0]?.state, 'succeeded', `run once the agent is back (${done.targets[0]?.state})`);
      t.ok(early.virtual.state().reboots <= 1, `never rebooted twice (${early.virtual.state().reboots})`);
    });

    await t.test('killed while observing one reboot, with another journaled but not started', async (t) => {
      const observing = await reboot(busy);
      await waitFor(
        'the first miner is rebooting',
        () => (busy.virtual.state().rebooting ? true : undefined),
        {
          timeoutMs: 20_000,
        },
      );
      // The only command slot is taken by a slow miner (its reply drips a byte every 500 ms)...
      await slow.virtual.setFault('slow-drip');
      const stuck = await submit(system, { type: 'led', targets: targetsOf([slow]), params: { on: true } });
      await waitFor(
        'the slow LED command running',
        () => (targetState(node, slow.minerId)?.state === 'running' ? true : undefined),
        { timeoutMs: 20_000 },
      );
      // ...so the next command is journaled and waits.
      const queued = await reboot(waiting);
      await waitFor(
        'the second reboot journaled, not started',
        () => (targetState(node, waiting.minerId)?.state === 'received' ? true : undefined),
        { timeoutMs: 20_000 },
      );
      t.match(
        targetState(node, busy.minerId)?.state,
        /^(running|observing)$/,
        'the first is still being observed',
      );
      await node.kill9();
      await slow.virtual.setFault('none');
      await node.start();
      const first = await settle(system, observing, { timeoutMs: 60_000 });
      const second = await settle(system, queued, { timeoutMs: 60_000 });
      const led = await settle(system, stuck, { timeoutMs: 60_000 });
      t.match(
        first.targets[0]?.state,
        /^(succeeded|failed)$/,
        `the interrupted reboot ends (${first.targets[0]?.state} ${first.targets[0]?.errorCode})`,
      );
      t.equal(second.targets[0]?.state, 'succeeded', 'the journaled reboot runs after the restart');
      t.match(
        led.targets[0]?.state,
        /^(succeeded|failed)$/,
        `the command cut mid-call ends (${led.targets[0]?.state} ${led.targets[0]?.errorCode})`,
      );
      t.equal(busy.virtual.state().reboots, 1, 'the interrupted reboot was not run again');
      t.equal(waiting.virtual.state().reboots, 1, 'the journaled one ran once');
    });

    await t.test('killed after the result, before the broker has the report', async (t) => {
      const id = await reboot(late);
      await waitFor(
        'the command has reached the agent',
        () => (targetState(node, late.minerId) ? true : undefined),
        { timeoutMs: 20_000 },
      );
      node.tap.cut(); // updates can no longer leave
      await waitFor(
        'succeeded in the journal, not reported',
        () => {
          const row = targetState(node, late.minerId);
          return row?.state === 'succeeded' && row.reported === 0 ? true : undefined;
        },
        { timeoutMs: 40_000 },
      );
      const seen = await system.ok<CommandView>('GET', `/api/commands/${id}`, { token: system.owner });
      t.not(seen.targets[0]?.state, 'succeeded', 'the cloud does not know yet');
      await node.kill9();
      node.tap.restore();
      await node.start();
      const done = await settle(system, id, { timeoutMs: 40_000 });
      t.equal(done.targets[0]?.state, 'succeeded', 'reported by the restarted agent');
      t.equal(late.virtual.state().reboots, 1, 'rebooted once');
    });
  },
);
