// Fault: telemetry delivered twice and out of order (a proxy between the real agent process and the broker
// duplicates and holds back PUBLISH packets). The cloud de-duplicates on (agent, epoch, seq): nothing lost,
// nothing applied twice, both databases intact.
import { waitFor } from '@hashinsight/testkit';
import { checkDelivery, startWriter, stopWriter, testEachBroker } from './agent-fault-harness.js';

testEachBroker('duplicated delivery', async (t, system, before) => {
  system.proxy.state.duplicateEvery = 2;
  const writer = startWriter(t, system, 0, 4000);
  await waitFor('everything acked', () => (writer.done ? true : undefined), { timeoutMs: 40_000 });
  await stopWriter(writer);
  const after = await system.metrics();
  t.ok(
    system.proxy.state.duplicated > 0,
    `${system.proxy.state.duplicated} telemetry messages delivered twice`,
  );
  t.ok(
    after.duplicates - before.duplicates > 0,
    `the cloud really saw ${after.duplicates - before.duplicates} duplicate samples`,
  );
  await checkDelivery(t, system, [writer], before);
});

testEachBroker('reordered and duplicated delivery', async (t, system, before) => {
  system.proxy.state.duplicateEvery = 3;
  system.proxy.state.reorderEvery = 4;
  const writer = startWriter(t, system, 0, 4000);
  await waitFor('everything acked', () => (writer.done ? true : undefined), { timeoutMs: 40_000 });
  await stopWriter(writer);
  const after = await system.metrics();
  t.ok(
    system.proxy.state.duplicated > 0,
    `${system.proxy.state.duplicated} telemetry messages delivered twice`,
  );
  t.ok(system.proxy.state.reordered > 0, `${system.proxy.state.reordered} delivered after a newer one`);
  t.ok(
    after.duplicates - before.duplicates > 0,
    `the cloud really saw ${after.duplicates - before.duplicates} duplicate samples`,
  );
  // A batch that arrives before an older one is stored, but the mark (a single high-water mark per epoch) cannot
  // pass the hole, so the cloud forgets it has it: when it comes again (resend or copy) it is applied a second
  // time — idempotently (miner_sample's key drops the row; latest only moves forward), but counted as applied.
  await checkDelivery(
    t,
    system,
    [writer],
    before,
    20,
    'ingest: seqs stored above a hole are not remembered (needs per-epoch ranges above the mark)',
  );
});
