// The safety properties of remote commands, on the whole system: an expired command never runs; a replayed,
// tampered or foreign command is refused and journaled by the agent; the Idempotency-Key returns the same command
// for the same body and 422 for another; a site-wide reboot waits for a second operator and is never dispatched
// before; a rollout whose first targets fail stops at the abort threshold.
import { agentTopic } from '@hashinsight/protocol';
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

const refusals = (node: AgentNode) => {
  const db = node.openStore();
  try {
    return db
      .prepare('SELECT command_id AS commandId, code FROM command_refusal ORDER BY id')
      .all() as Array<{
      commandId: string | null;
      code: string;
    }>;
  } finally {
    db.close();
  }
};

const commandsTo = (node: AgentNode) =>
  node.tap.publishes.filter((p) => p.direction === 'down' && p.topic === agentTopic(node.agentId, 'command'));

// Whole-system scenarios take minutes on a shared 2-vCPU box: more than the suite's 120 s per file.
t.setTimeout(600_000);

t.test('an expired command never runs', async (t) => {
  // Six miners, one targeted at a time: under the approval threshold (20 % of a site).
  const system = await startCommandSystem(t, { minersPerAgent: 6 });
  const [late, offline] = (await system.miners()) as [SystemMiner, SystemMiner];
  const [node] = system.agents as [AgentNode];

  await t.test('delivered after its expiry: the agent refuses it as expired', async (t) => {
    node.tap.hold(/\/command$/); // the message is late in the network
    const sent = await sendCommand(system, {
      type: 'reboot',
      targets: targetsOf([late]),
      expiresInSeconds: 30,
    });
    t.equal(sent.status, 201, sent.text);
    const created = sent.body.data as { id: string; requiresApproval: boolean; expiresAt: string };
    t.equal(created.requiresApproval, false, 'no approval needed');
    await new Promise((r) => setTimeout(r, Date.parse(created.expiresAt) - Date.now() + 1000));
    t.equal(node.tap.release(), 1, 'the held command reaches the agent after its expiry');
    const done = await settle(system, created.id, { timeoutMs: 30_000 });
    t.equal(done.targets[0]?.state, 'expired', JSON.stringify(done.targets[0]));
    const db = node.openStore();
    const journaled = db.prepare('SELECT verdict FROM command').all() as Array<{ verdict: string }>;
    db.close();
    t.same(journaled, [{ verdict: 'COMMAND_EXPIRED' }], 'journaled as expired');
    await new Promise((r) => setTimeout(r, 2000));
    t.equal(late.virtual.state().reboots, 0, 'the miner never rebooted');
  });

  await t.test('sent while the agent is away: it ends without running', async (t) => {
    node.tap.cut();
    const sent = await sendCommand(system, {
      type: 'reboot',
      targets: targetsOf([offline]),
      expiresInSeconds: 30,
      effectTimeoutSeconds: 2,
    });
    t.equal(sent.status, 201, sent.text);
    const created = sent.body.data as { id: string; expiresAt: string };
    await new Promise((r) => setTimeout(r, Date.parse(created.expiresAt) - Date.now() + 1000));
    node.tap.restore();
    const done = await settle(system, created.id, { timeoutMs: 90_000 });
    t.match(
      done.targets[0]?.state,
      /^(expired|timed_out)$/,
      `ended, not run: ${done.targets[0]?.state} ${done.targets[0]?.reason}`,
    );
    await new Promise((r) => setTimeout(r, 3000));
    t.equal(offline.virtual.state().reboots, 0, 'the miner never rebooted');
  });
});

t.test('replayed, tampered and foreign commands are refused and journaled', async (t) => {
  const system = await startCommandSystem(t, { agents: 2, minersPerAgent: 1 });
  const all = await system.miners();
  const [nodeA, nodeB] = system.agents as [AgentNode, AgentNode];
  const minerA = all.find((m) => m.agentId === nodeA.agentId) as SystemMiner;
  const minerB = all.find((m) => m.agentId === nodeB.agentId) as SystemMiner;
  const done = await settle(system, await submit(system, { type: 'reboot', targets: targetsOf([minerA]) }));
  t.equal(done.targets[0]?.state, 'succeeded');
  t.equal(minerA.virtual.state().reboots, 1);
  const [original] = commandsTo(nodeA);
  if (!original) throw new Error('no command seen on the wire');
  const before = refusals(nodeA).length;

  // The same bytes again (an attacker on the network, or the broker redelivering after a purge).
  t.equal(nodeA.tap.inject(original.topic, original.payload), 1, 'replayed to the agent');
  // One byte changed in the middle (the signature no longer matches).
  const tampered = Buffer.from(original.payload);
  const at = tampered.length >> 1;
  tampered[at] = (tampered[at] ?? 0) ^ 0x01;
  nodeA.tap.inject(original.topic, tampered);
  // Agent A's command handed to agent B.
  nodeB.tap.inject(agentTopic(nodeB.agentId, 'command'), original.payload);

  const refusedA = await waitFor('A journals two refusals', () => {
    const rows = refusals(nodeA).slice(before);
    return rows.length >= 2 ? rows : undefined;
  });
  t.same(
    refusedA.map((r) => r.code),
    ['COMMAND_REPLAYED', refusedA[1]?.code],
    'the replay is refused as a replay',
  );
  t.match(refusedA[1]?.code, /^COMMAND_(BAD_SIGNATURE|MALFORMED|UNKNOWN_KEY)$/, 'the tampered one as forged');
  const refusedB = await waitFor('B journals a refusal', () => {
    const rows = refusals(nodeB);
    return rows.length >= 1 ? rows : undefined;
  });
  t.equal(refusedB[0]?.code, 'COMMAND_WRONG_AGENT', "B refuses A's command");
  await new Promise((r) => setTimeout(r, 3000));
  t.equal(minerA.virtual.state().reboots, 1, 'A rebooted once, whatever arrived after');
  t.equal(minerB.virtual.state().reboots, 0, 'B never rebooted');
});

t.test('idempotency: same key and body, same command; another body, 422', async (t) => {
  const system = await startCommandSystem(t, { minersPerAgent: 6 });
  const [m1, m2] = (await system.miners()) as [SystemMiner, SystemMiner];
  const key = `idem-${process.pid}`;
  const body = { type: 'led', targets: targetsOf([m1]), params: { on: true } };
  const first = await sendCommand(system, body, { key });
  const again = await sendCommand(system, body, { key });
  t.equal(first.status, 201, first.text);
  t.equal(again.status, 200, again.text);
  t.equal((again.body.data as { id: string }).id, (first.body.data as { id: string }).id, 'the same command');
  const other = await sendCommand(system, { ...body, targets: targetsOf([m2]) }, { key });
  t.equal(other.status, 422, other.text);
  t.equal(other.body.success, false);
  const missing = await system.call('POST', '/api/commands', { token: system.owner, body });
  t.equal(missing.status, 400, 'no Idempotency-Key: 400');
  // Two at once with a fresh key: one command.
  const racing = await Promise.all([1, 2, 3].map(() => sendCommand(system, body, { key: `${key}-race` })));
  t.equal(new Set(racing.map((r) => (r.body.data as { id: string } | undefined)?.id)).size, 1, 'one command');
  await settle(system, (first.body.data as { id: string }).id);
  const ledCommands = commandsTo(system.agents[0] as AgentNode).length;
  t.equal(ledCommands, 2, 'two commands reached the agent: the first and the raced one');
});

t.test('a site-wide reboot waits for a second operator and is never dispatched before', async (t) => {
  const system = await startCommandSystem(t, { minersPerAgent: 3 });
  const miners = await system.miners();
  const [node] = system.agents as [AgentNode];
  const sent = await sendCommand(system, { type: 'reboot', targets: { siteId: node.siteId } });
  t.equal(sent.status, 201, sent.text);
  const created = sent.body.data as {
    id: string;
    requiresApproval: boolean;
    canonicalHash: string;
    state: string;
  };
  t.equal(created.requiresApproval, true, 'approval required');
  t.equal(created.state, 'awaiting_approval');
  // Time for several dispatcher rounds.
  await new Promise((r) => setTimeout(r, 5000));
  const waiting = await system.ok<CommandView>('GET', `/api/commands/${created.id}`, { token: system.owner });
  t.ok(
    waiting.targets.every((x) => x.state === 'queued'),
    `every target still queued: ${waiting.targets.map((x) => x.state)}`,
  );
  t.equal(commandsTo(node).length, 0, 'nothing was published to the agent');
  t.ok(
    miners.every((m) => m.virtual.state().reboots === 0),
    'no miner rebooted',
  );
  const self = await system.call('POST', `/api/commands/${created.id}/approve`, {
    token: system.owner,
    body: { canonicalHash: created.canonicalHash },
  });
  t.equal(self.status, 403, 'the requester cannot approve their own command');
  const second = await system.operator('approver@commands.test');
  const wrongHash = await system.call('POST', `/api/commands/${created.id}/approve`, {
    token: second,
    body: { canonicalHash: '0'.repeat(64) },
  });
  t.ok(
    wrongHash.status >= 400 && wrongHash.status < 500,
    `an approval of another command is refused (${wrongHash.status})`,
  );
  t.equal(commandsTo(node).length, 0, 'still nothing published');
  await system.ok('POST', `/api/commands/${created.id}/approve`, {
    token: second,
    body: { canonicalHash: created.canonicalHash },
  });
  const done = await settle(system, created.id, { timeoutMs: 40_000 });
  t.ok(
    done.targets.every((x) => x.state === 'succeeded'),
    `approved, every miner rebooted: ${done.targets.map((x) => x.state)}`,
  );
  t.ok(
    miners.every((m) => m.virtual.state().reboots === 1),
    'each once',
  );
});

t.test('a rollout whose first targets fail stops at the abort threshold', async (t) => {
  const system = await startCommandSystem(t, { minersPerAgent: 10 });
  const miners = await system.miners();
  const failing = miners.slice(0, 4);
  const healthy = miners.slice(4);
  for (const miner of failing) await miner.virtual.setFault('control-fails');
  // LED on: its effect is the miner's acknowledgment, so each target ends as soon as its miner answers.
  const id = await submit(system, {
    type: 'led',
    targets: targetsOf([...failing, ...healthy]),
    params: { on: true },
    rollout: { perMinute: 4, abortThresholdPct: 50, abortMinExecuted: 2 },
  });
  const done = await settle(system, id, { timeoutMs: 40_000 });
  const byState = (state: string) => done.targets.filter((x) => x.state === state).length;
  const executed = byState('succeeded') + byState('failed') + byState('timed_out');
  t.ok(byState('failed') >= 2, `at least the threshold failed (${byState('failed')})`);
  t.ok(executed <= 4, `no more than the first minute's 4 targets ran (${executed})`);
  t.ok(byState('cancelled') >= 6, `the rest cancelled (${byState('cancelled')})`);
  t.match(done.status, /aborted/, `the command is aborted (${done.status} ${done.statusReason ?? ''})`);
  const lit = healthy.filter((m) => m.virtual.state().led).length;
  t.ok(lit <= 4 - byState('failed'), `healthy miners lit: ${lit}, at most the rest of the first minute`);
  await new Promise((r) => setTimeout(r, 3000));
  t.equal(healthy.filter((m) => m.virtual.state().led).length, lit, 'and none is lit afterwards');
});
