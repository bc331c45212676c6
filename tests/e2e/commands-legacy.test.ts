// The other two ways into the command service, on the whole system: the legacy remote-control adapter
// (/api/remote/*, the original design's poll/ack style) reboots a virtual miner and reports completed/0 only once
// the effect was observed, and refuses what it cannot map; a site's schedule (node-cron) fires a real command.
import { waitFor } from '@hashinsight/testkit';
import t from 'tap';
import { type CommandView, type SystemMiner, settle, startCommandSystem } from './commands-harness.js';

// Whole-system scenarios take minutes on a shared 2-vCPU box: more than the suite's 120 s per file.
t.setTimeout(600_000);

interface LegacyCommand {
  id: string;
  miner_id: string;
  command: string;
  status: 'completed' | 'failed' | 'pending';
  result_code: number;
  result_message: string;
}

t.test('legacy adapter and schedules drive the same commands', { timeout: 300_000 }, async (t) => {
  const system = await startCommandSystem(t, { minersPerAgent: 6 });
  const [rebooted, lit] = (await system.miners()) as [SystemMiner, SystemMiner];

  await t.test('legacy reboot: pending, then completed with result_code 0 once observed', async (t) => {
    const created = await system.ok<LegacyCommand>('POST', '/api/remote/commands', {
      token: system.owner,
      body: { miner_id: rebooted.minerId, command: 'reboot' },
    });
    t.match(created, { miner_id: rebooted.minerId, command: 'reboot', status: 'pending', result_code: 2 });
    const done = await waitFor(
      'the legacy command done',
      async () => {
        const view = await system.ok<LegacyCommand>('GET', `/api/remote/commands/${created.id}`, {
          token: system.owner,
        });
        return view.status === 'pending' ? undefined : view;
      },
      { timeoutMs: 40_000, intervalMs: 200 },
    );
    t.match(done, { status: 'completed', result_code: 0 });
    t.equal(rebooted.virtual.state().reboots, 1, 'the miner rebooted once');
    const listed = await system.ok<{ commands: LegacyCommand[] } | LegacyCommand[]>(
      'GET',
      `/api/remote/commands?miner_id=${encodeURIComponent(rebooted.minerId)}`,
      { token: system.owner },
    );
    const rows = Array.isArray(listed) ? listed : listed.commands;
    t.ok(
      rows.some((row) => row.id === created.id),
      'listed for the miner',
    );
    // The same command through the new API, with its full lifecycle.
    const modern = await system.ok<CommandView>('GET', `/api/commands/${created.id}`, {
      token: system.owner,
    });
    t.equal(modern.targets[0]?.state, 'succeeded');
  });

  await t.test('legacy commands without an equivalent are refused clearly', async (t) => {
    for (const command of ['set_fan', 'set_frequency']) {
      const answer = await system.call('POST', '/api/remote/commands', {
        token: system.owner,
        body: { miner_id: rebooted.minerId, command, params: {} },
      });
      t.equal(answer.status, 400, `${command}: 400`);
      t.equal(answer.body.code, 'REMOTE_UNSUPPORTED');
    }
  });

  await t.test('a schedule fires its command at the next minute', async (t) => {
    const schedule = await system.ok<{ id: string }>('POST', `/api/sites/${lit.siteId}/schedules`, {
      token: system.owner,
      body: {
        name: 'LED every minute',
        cron: '* * * * *',
        command: {
          type: 'led',
          targets: { miners: [{ agentId: lit.agentId, minerId: lit.minerId }] },
          params: { on: true },
        },
      },
    });
    const fired = await waitFor(
      'a command from the schedule',
      async () => {
        const list = await system.ok<{ commands: Array<{ id: string; scheduleId: string | null }> }>(
          'GET',
          '/api/commands?limit=50',
          { token: system.owner },
        );
        return list.commands.find((c) => c.scheduleId === schedule.id);
      },
      { timeoutMs: 75_000, intervalMs: 500 },
    );
    const done = await settle(system, fired.id);
    t.equal(done.targets[0]?.state, 'succeeded', JSON.stringify(done.targets[0]));
    t.equal(lit.virtual.state().led, true, 'the LED is on');
    await system.ok('PATCH', `/api/sites/${lit.siteId}/schedules/${schedule.id}`, {
      token: system.owner,
      body: { enabled: false },
    });
  });
});
