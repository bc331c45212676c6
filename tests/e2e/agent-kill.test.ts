// Fault: kill -9 of the real agent process while it writes, and while it drains a backlog. A new process on the
// same store delivers what the dead one committed: nothing lost, nothing applied twice, both databases intact.
import { waitFor } from '@hashinsight/testkit';
import { checkDelivery, startWriter, stopWriter, testEachBroker } from './agent-fault-harness.js';

testEachBroker('kill -9 during writes', async (t, system, before) => {
  const first = startWriter(t, system, 0, 1_000_000, { perAppend: 50, everyMs: 5 });
  await waitFor(
    'writing and sending',
    () => (first.committed >= 3000 && first.link === 'up' ? true : undefined),
    { timeoutMs: 20_000 },
  );
  first.child.kill('SIGKILL');
  const { signal } = await first.exited;
  t.equal(signal, 'SIGKILL', 'the agent really died by SIGKILL, in the middle of its writes');
  t.ok(first.committed < 1_000_000, `it had committed ${first.committed} of its samples`);
  const second = startWriter(t, system, 1, 500);
  await waitFor('the new process delivered everything', () => (second.done ? true : undefined), {
    timeoutMs: 40_000,
  });
  await stopWriter(second);
  await checkDelivery(t, system, [first, second], before, 50);
});

testEachBroker('kill -9 during a backlog drain', async (t, system, before) => {
  system.proxy.cut(); // the link is down while the backlog builds
  const first = startWriter(t, system, 0, 20_000, { perAppend: 100, everyMs: 5 });
  await waitFor('backlog written', () => (first.committed === 20_000 ? true : undefined), {
    timeoutMs: 30_000,
  });
  t.equal(first.link, undefined, 'it never reached the broker while the backlog built');
  const backlog = first.backlog;
  system.proxy.restore();
  await waitFor(
    'mid-drain',
    () => (first.backlog > 0 && first.backlog < backlog && first.inFlight > 0 ? true : undefined),
    { timeoutMs: 20_000, intervalMs: 1 },
  );
  const atKill = first.backlog;
  first.child.kill('SIGKILL');
  const { signal } = await first.exited;
  t.equal(signal, 'SIGKILL', 'the agent really died by SIGKILL');
  t.ok(
    atKill > 0 && atKill < backlog,
    `mid-drain: ${atKill} of ${backlog} samples still waiting, batches in flight`,
  );
  const second = startWriter(t, system, 1, 0);
  await waitFor('the new process drained the rest', () => (second.done ? true : undefined), {
    timeoutMs: 40_000,
  });
  await stopWriter(second);
  await checkDelivery(t, system, [first, second], before, 100);
});
