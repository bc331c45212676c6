import { MinerReader } from '@hashinsight/miners';
import { hashinsight } from '@hashinsight/protocol';
import { startFleet } from '@hashinsight/simulator';
import { loopbackAllocator, tempDir, waitFor } from '@hashinsight/testkit';
import pino from 'pino';
import t, { type Test } from 'tap';
import { AgentStore } from '../store/index.js';
import { Poller } from './index.js';

const { MinerStatus } = hashinsight.v1;

async function setup(t: Test, count: number) {
  const ips = loopbackAllocator.take(count);
  const fleet = await startFleet({ ips, seed: 7 });
  t.teardown(() => fleet.close());
  const store = new AgentStore(tempDir(t));
  t.teardown(() => store.close());
  store.nextEpoch();
  const options = { miners: ips, pollIntervalMs: 60_000, pollConcurrency: 8 };
  const reader = new MinerReader({ port: 4028, timeoutMs: 1500 });
  const read = (ip: string) => reader.read(ip);
  const poller = new Poller(store, read, options, pino({ level: 'silent' }));
  return { fleet, store, poller, ips, options, read };
}

t.test('one cycle stores one sample per miner with the values the miners sent', async (t) => {
  const { fleet, store, poller, ips } = await setup(t, 4);
  const cycle = await poller.runCycle();
  t.match(cycle, { polled: 4, failed: 0, firstSeq: 1, lastSeq: 4, rejected: [] });
  const samples = store.oldestBatch(100)?.samples ?? [];
  t.same(
    samples.map((s) => s.minerId),
    fleet.miners.map((miner) => miner.serial),
    'in target order, ids from the control board serial (no MAC over the cgminer API)',
  );
  for (const [i, sample] of samples.entries()) {
    const said = fleet.miners[i]?.snapshot();
    t.equal(sample.hashrateMhs, said?.hashrateMhs);
    t.equal(sample.hashrateAvgMhs, said?.hashrateAvgMhs);
    t.equal(sample.uptimeS, said?.elapsed);
    t.equal(sample.status, MinerStatus.MINER_STATUS_OK);
    t.equal(sample.identity?.model, 'Antminer S19 Pro');
    t.same([...(sample.identity?.ip ?? [])], ips[i]?.split('.').map(Number));
  }
});

t.test('identity is sent once per epoch, again after a new epoch', async (t) => {
  const { store, poller } = await setup(t, 2);
  const firstEpoch = store.currentEpoch();
  await poller.runCycle();
  await poller.runCycle();
  store.nextEpoch();
  await poller.runCycle();
  const first = store.oldestBatch(100)?.samples ?? [];
  t.same(
    first.map((s) => Boolean(s.identity)),
    [true, true, false, false],
    'second cycle of epoch 1 carries no identity',
  );
  store.acknowledge(firstEpoch, 4);
  t.same(
    (store.oldestBatch(100)?.samples ?? []).map((s) => Boolean(s.identity)),
    [true, true],
    'epoch 2 starts with identities again',
  );
});

t.test(
  'broken miners become unreachable samples, logged once, and never delay the healthy ones',
  async (t) => {
    const lines: Array<{ level: number; msg: string; code?: string; ip?: string }> = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const { fleet, store, ips, options, read } = await setup(t, 5);
    const poller = new Poller(store, read, options, logger);
    await fleet.miners[1]?.setFault('silent');
    await fleet.miners[2]?.setFault('garbage');
    await fleet.miners[3]?.setFault('slow-drip');
    await fleet.miners[4]?.setFault('refuse');
    const cycle = await poller.runCycle();
    t.equal(cycle.failed, 4);
    const samples = store.oldestBatch(100)?.samples ?? [];
    t.same(
      samples.map((s) => s.status),
      [
        MinerStatus.MINER_STATUS_OK,
        MinerStatus.MINER_STATUS_UNREACHABLE,
        MinerStatus.MINER_STATUS_UNREACHABLE,
        MinerStatus.MINER_STATUS_UNREACHABLE,
        MinerStatus.MINER_STATUS_UNREACHABLE,
      ],
    );
    t.match(samples[1]?.pollError, /MINER_TIMEOUT/);
    t.match(samples[2]?.pollError, /MINER_BAD_REPLY/);
    t.match(samples[3]?.pollError, /MINER_TIMEOUT/);
    t.match(samples[4]?.pollError, /MINER_CONNECT_REFUSED/);
    // Polls run side by side: the healthy miner was read before the silent one's deadline ran out.
    t.ok(
      Number(samples[0]?.timeMs) < Number(samples[1]?.timeMs),
      'the healthy miner did not wait for the silent one',
    );

    const failures = () => lines.filter((l) => l.msg === 'miner poll failed');
    const byIp = (x: unknown[], y: unknown[]) => String(x[0]).localeCompare(String(y[0]));
    t.same(
      failures()
        .map((l) => [l.ip, l.code, l.level])
        .sort(byIp),
      [
        [ips[1], 'MINER_TIMEOUT', 40],
        [ips[2], 'MINER_BAD_REPLY', 40],
        [ips[3], 'MINER_TIMEOUT', 40],
        [ips[4], 'MINER_CONNECT_REFUSED', 40],
      ].sort(byIp),
      'each failing miner logged at warn with its typed code',
    );
    await fleet.miners[4]?.setFault('none');
    await poller.runCycle();
    t.equal(failures().length, 4, 'a miner that keeps failing the same way is not logged again');
    t.ok(
      lines.some((l) => l.msg === 'miner answers again' && l.ip === ips[4]),
      'recovery is logged',
    );
  },
);

t.test('start() polls at once and keeps polling until stop()', async (t) => {
  const { store, options, read } = await setup(t, 1);
  const cycles: number[] = [];
  const ticking = new Poller(
    store,
    read,
    { ...options, pollIntervalMs: 1000 },
    pino({ level: 'silent' }),
    (cycle) => cycles.push(cycle.lastSeq),
  );
  ticking.start();
  await waitFor('two cycles', () => (cycles.length >= 2 ? true : undefined));
  await ticking.stop();
  const seen = cycles.length;
  t.same(
    cycles,
    Array.from({ length: seen }, (_, i) => i + 1),
    'one sample per cycle, numbered in order',
  );
  await new Promise((resolve) => setTimeout(resolve, 1500));
  t.equal(cycles.length, seen, 'no cycle after stop');
});
