// Fault: the broker goes down mid-stream (the cloud with its embedded aedes, or the Mosquitto process) while the
// real agent process keeps writing. Nothing is lost, nothing applied twice, both databases intact.
import { waitFor } from '@hashinsight/testkit';
import { checkDelivery, startWriter, stopWriter, testEachBroker } from './agent-fault-harness.js';

testEachBroker('broker outage mid-stream', async (t, system, before) => {
  const writer = startWriter(t, system, 0, 6000);
  await waitFor(
    'streaming, acks flowing',
    () => (writer.committed >= 1000 && writer.link === 'up' ? true : undefined),
    { timeoutMs: 20_000 },
  );
  let committedAtDown = 0;
  await system.brokerOutage(2000, async () => {
    await waitFor('the agent lost its broker', () => (writer.link === 'down' ? true : undefined));
    committedAtDown = writer.committed;
  });
  const duringOutage = writer.committed - committedAtDown;
  t.ok(writer.linkChanges.includes('down'), 'the agent really lost its broker');
  t.ok(duringOutage > 0, `${duringOutage} samples committed while the broker was down`);
  await waitFor('everything acked', () => (writer.done ? true : undefined), { timeoutMs: 40_000 });
  t.same(writer.linkChanges.slice(0, 3), ['up', 'down', 'up'], 'down, then back up');
  await stopWriter(writer);
  await checkDelivery(t, system, [writer], before);
});
