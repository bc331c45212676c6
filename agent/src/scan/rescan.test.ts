import { discoveryReportCodec } from '@hashinsight/protocol';
import { startFleet } from '@hashinsight/simulator';
import { loopbackAllocator, tempDir, waitFor } from '@hashinsight/testkit';
import pino from 'pino';
import t, { type Test } from 'tap';
import { Inventory } from '../inventory/index.js';
import { AgentStore } from '../store/index.js';
import { RescanScheduler, type ScanResult } from './index.js';

async function setup(t: Test) {
  const ips = loopbackAllocator.take(3);
  const fleet = await startFleet({ ips: ips.slice(0, 2), seed: 5 });
  t.teardown(() => fleet.close());
  const store = new AgentStore(tempDir(t));
  t.teardown(() => store.close());
  const inventory = new Inventory(store.db);
  const scans = () => (store.db.prepare('SELECT count(*) AS n FROM scan').get() as { n: number }).n;
  return { ips, fleet, inventory, scans };
}

t.test('scheduled scans fill the inventory and publish their report; stop ends them', async (t) => {
  const { ips, fleet, inventory, scans } = await setup(t);
  const published: Uint8Array[] = [];
  const seen: ScanResult[] = [];
  const rescan = new RescanScheduler(
    inventory,
    {
      cron: '* * * * * *',
      scan: { targets: [`${ips[0]}-${ips[2]}`], timeoutMs: 1000 },
      publish: async (payload) => {
        published.push(payload);
        return true;
      },
      onScan: (result) => seen.push(result),
    },
    pino({ level: 'silent' }),
  );
  rescan.start();
  await waitFor('two scans', () => (seen.length >= 2 ? true : undefined), { timeoutMs: 10_000 });
  await rescan.stop();
  const after = scans();
  t.ok(after >= 2, `${after} scans recorded`);
  t.same(
    inventory.list().map((m) => m.minerId),
    fleet.miners.map((miner) => miner.serial),
  );
  const report = discoveryReportCodec.decode(published[0] as Uint8Array);
  t.equal(report.scanId, seen[0]?.scanId);
  t.equal(report.miners.length, 2);
  t.equal(rescan.pendingReports, 0);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  t.equal(scans(), after, 'no scan after stop');
  t.equal(await rescan.runNow(), undefined, 'nor on demand');
});

t.test('reports the cloud did not take are kept until publishPending succeeds', async (t) => {
  const { ips, inventory } = await setup(t);
  let connected = false;
  const published: Uint8Array[] = [];
  const rescan = new RescanScheduler(
    inventory,
    {
      cron: 'off',
      scan: { targets: ips, timeoutMs: 1000 },
      publish: async (payload) => {
        if (!connected) return false;
        published.push(payload);
        return true;
      },
    },
    pino({ level: 'silent' }),
  );
  rescan.start();
  const running = rescan.runNow();
  t.equal(rescan.runNow(), running, 'one scan at a time');
  const result = await running;
  t.equal(result?.miners.length, 2);
  t.equal(rescan.pendingReports, 1, 'kept while not connected');
  connected = true;
  await rescan.publishPending();
  t.equal(rescan.pendingReports, 0);
  t.equal(discoveryReportCodec.decode(published[0] as Uint8Array).scanId, result?.scanId);
  await rescan.stop();
});

t.test("'off' schedules nothing", async (t) => {
  const { ips, inventory, scans } = await setup(t);
  const rescan = new RescanScheduler(
    inventory,
    { cron: 'off', scan: { targets: ips, timeoutMs: 1000 } },
    pino({ level: 'silent' }),
  );
  rescan.start();
  await new Promise((resolve) => setTimeout(resolve, 1500));
  await rescan.stop();
  t.equal(scans(), 0);
});
