import { hashinsight } from '@hashinsight/protocol';
import { startFleet } from '@hashinsight/simulator';
import { loopbackAllocator, tempDir, waitFor } from '@hashinsight/testkit';
import pino from 'pino';
import t, { type Test } from 'tap';
import { Inventory } from '../inventory/index.js';
import { scan } from '../scan/index.js';
import { AgentStore } from '../store/index.js';
import { driverReader, type FlushResult, Poller, type PollerOptions, type ReadMiner } from './index.js';

const { MinerStatus } = hashinsight.v1;
const silent = pino({ level: 'silent' });

/** A fleet on loopback, scanned into a fresh store's inventory. */
async function setup(t: Test, count: number) {
  const ips = loopbackAllocator.take(count);
  const fleet = await startFleet({ ips, seed: 7 });
  t.teardown(() => fleet.close());
  const store = new AgentStore(tempDir(t));
  t.teardown(() => store.close());
  store.nextEpoch();
  const inventory = new Inventory(store.db);
  await scan({ targets: ips, inventory, timeoutMs: 1500 });
  const read = driverReader({ timeoutMs: 1500, connectTimeoutMs: 1000 });
  return { fleet, store, inventory, ips, read };
}

/** Every sample waiting in the outbox, oldest first. */
const outbox = (store: AgentStore) => store.oldestBatch(100_000)?.samples ?? [];

t.test('one cycle stores one sample per miner with the values the miners sent', async (t) => {
  const { fleet, store, inventory, ips, read } = await setup(t, 4);
  const poller = new Poller(store, inventory, read, {}, silent);
  const cycle = await poller.runCycle();
  t.match(cycle, { polled: 4, failed: 0, stored: { samples: 4, failed: 0, rejected: [] } });
  const samples = outbox(store);
  t.same(
    samples.map((s) => s.minerId),
    fleet.miners.map((miner) => miner.serial),
    'in address order, ids from the control board serial (no MAC over the cgminer API)',
  );
  for (const [i, sample] of samples.entries()) {
    const said = fleet.miners[i]?.snapshot();
    t.equal(sample.hashrateMhs, said?.hashrateMhs);
    t.equal(sample.uptimeS, said?.elapsed);
    t.equal(sample.status, MinerStatus.MINER_STATUS_OK);
    t.equal(sample.identity?.model, 'Antminer S19 Pro');
    t.same([...(sample.identity?.ip ?? [])], ips[i]?.split('.').map(Number));
    // The driver and what it can do travel with the identity, so the cloud checks commands against them.
    t.equal(sample.identity?.driver, 'antminer-stock');
    t.same(sample.identity?.capabilities, ['reboot', 'set-pools', 'led', 'sleep', 'set-login']);
  }
  t.same(
    inventory.list().map((m) => [m.state, m.lastHashrateMhs]),
    fleet.miners.map((miner) => ['online', miner.snapshot()?.hashrateMhs]),
    'the inventory has them online with their last sample',
  );
  t.equal(inventory.events({ limit: 100 }).filter((e) => e.kind === 'miner.online').length, 4);
});

t.test('identity is sent once per epoch, again after a new epoch', async (t) => {
  const { store, inventory, read } = await setup(t, 2);
  const poller = new Poller(store, inventory, read, {}, silent);
  const firstEpoch = store.currentEpoch();
  await poller.runCycle();
  await poller.runCycle();
  store.nextEpoch();
  await poller.runCycle();
  t.same(
    outbox(store).map((s) => Boolean(s.identity)),
    [true, true, false, false],
    'second cycle of epoch 1 carries no identity',
  );
  store.acknowledge(firstEpoch, 4);
  t.same(
    outbox(store).map((s) => Boolean(s.identity)),
    [true, true],
    'epoch 2 starts with identities again',
  );
});

t.test('broken miners become unreachable samples, logged once; recovery is logged', async (t) => {
  const lines: Array<{ level: number; msg: string; code?: string; ip?: string }> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  const { fleet, store, inventory, ips, read } = await setup(t, 5);
  const poller = new Poller(store, inventory, read, { offlineAfterFailures: 1 }, logger);
  await fleet.miners[1]?.setFault('silent');
  await fleet.miners[2]?.setFault('garbage');
  await fleet.miners[3]?.setFault('slow-drip');
  await fleet.miners[4]?.setFault('refuse');
  const cycle = await poller.runCycle();
  t.equal(cycle.failed, 4);
  const samples = outbox(store);
  t.same(
    samples.map((s) => s.status).sort(),
    [
      MinerStatus.MINER_STATUS_OK,
      MinerStatus.MINER_STATUS_UNREACHABLE,
      MinerStatus.MINER_STATUS_UNREACHABLE,
      MinerStatus.MINER_STATUS_UNREACHABLE,
      MinerStatus.MINER_STATUS_UNREACHABLE,
    ].sort(),
  );
  const errorOf = (i: number) =>
    samples.find((s) => s.minerId === fleet.miners[i]?.serial)?.pollError ?? 'no sample';
  t.match(errorOf(1), /MINER_TIMEOUT/);
  t.match(errorOf(2), /MINER_BAD_REPLY/);
  t.match(errorOf(3), /MINER_TIMEOUT/);
  t.match(errorOf(4), /MINER_CONNECT_REFUSED/);
  t.same(
    inventory.list().map((m) => m.state),
    ['online', 'offline', 'offline', 'offline', 'offline'],
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
  t.equal(inventory.byIp(ips[4] as string)?.state, 'online');
  t.match(
    inventory
      .events({ limit: 100 })
      .filter((e) => e.minerId === fleet.miners[4]?.serial)
      .map((e) => e.kind),
    ['miner.online', 'miner.offline', 'miner.discovered'],
    'online/offline transitions are events (offline straight from unknown here: one failure is enough)',
  );
});

t.test('a hung miner never delays the others, even with one slot', async (t) => {
  const { fleet, store, inventory, read } = await setup(t, 4);
  // The hung miner's transport would wait 5 s; the poller's deadline frees the slot after 300 ms.
  const slowRead = driverReader({ timeoutMs: 5000, connectTimeoutMs: 1000 });
  await fleet.miners[0]?.setFault('silent');
  const options: PollerOptions = {
    intervalMs: 1000,
    jitterPct: 0,
    concurrency: 1,
    deadlineMs: 300,
    flushMs: 200,
  };
  const flushes: FlushResult[] = [];
  const poller = new Poller(store, inventory, slowRead, options, silent, {
    onFlush: (result) => flushes.push(result),
  });
  poller.start();
  await new Promise((resolve) => setTimeout(resolve, 3500));
  await poller.stop();
  const samples = outbox(store);
  for (const miner of fleet.miners.slice(1)) {
    const own = samples.filter((s) => s.minerId === miner.serial);
    t.ok(own.length >= 3, `${miner.ip}: ${own.length} polls in 3.5 s at 1 s`);
    t.ok(
      own.every((s) => s.status === MinerStatus.MINER_STATUS_OK),
      'all read',
    );
  }
  const hung = samples.filter((s) => s.minerId === fleet.miners[0]?.serial);
  t.ok(hung.length >= 2, 'the hung miner is polled on schedule too');
  t.ok(
    hung.every((s) => /MINER_TIMEOUT/.test(String(s.pollError))),
    'and fails by its deadline',
  );
  const lag = poller.lagStats();
  t.ok(lag.count >= 12, `${lag.count} polls measured`);
  t.ok(lag.maxMs < 1000, `lag stays under the interval (max ${lag.maxMs} ms, p99 ${lag.p99Ms} ms)`);
  t.ok(read !== slowRead);
});

t.test('a miner that stays unreachable is backed off, offline after N failures', async (t) => {
  const { fleet, store, inventory, read } = await setup(t, 2);
  const times = new Map<string, number[]>();
  const counting: ReadMiner = (target) => {
    times.set(target.ip, [...(times.get(target.ip) ?? []), Date.now()]);
    return read(target);
  };
  await fleet.miners[1]?.setFault('refuse');
  const states: Array<[string, string]> = [];
  const poller = new Poller(
    store,
    inventory,
    counting,
    { intervalMs: 150, jitterPct: 0, offlineAfterFailures: 2, backoffMaxMs: 1200, flushMs: 100 },
    silent,
    { onStateChange: (minerId, state) => states.push([minerId, state]) },
  );
  poller.start();
  await new Promise((resolve) => setTimeout(resolve, 4000));
  const down = times.get(fleet.miners[1]?.ip as string) ?? [];
  const up = times.get(fleet.miners[0]?.ip as string) ?? [];
  const gaps = down.slice(1).map((at, i) => at - (down[i] as number));
  t.ok(up.length >= 20, `the healthy miner kept its interval (${up.length} polls)`);
  t.ok(down.length >= 5 && down.length <= 9, `the refused one was backed off (${down.length} polls)`);
  t.ok(
    gaps.length >= 4 && (gaps.at(-1) as number) >= 1000 && (gaps.at(-1) as number) < 1500,
    `gaps grow to the cap: ${gaps.join(', ')} ms`,
  );
  t.same(states, [
    [fleet.miners[0]?.serial, 'online'],
    [fleet.miners[1]?.serial, 'offline'],
  ]);
  t.equal(poller.stats().offline, 1);
  await fleet.miners[1]?.setFault('none');
  await waitFor('back online', () =>
    inventory.byIp(fleet.miners[1]?.ip as string)?.state === 'online' ? true : undefined,
  );
  await poller.stop();
  t.match(
    inventory.events({ limit: 10 }).filter((e) => e.minerId === fleet.miners[1]?.serial),
    [
      { kind: 'miner.online' },
      { kind: 'miner.offline', detail: { code: 'MINER_CONNECT_REFUSED', failures: 2 } },
    ],
  );
});

t.test('samples are flushed in batches about once per flush interval', async (t) => {
  const { store, inventory, read } = await setup(t, 5);
  const flushes: FlushResult[] = [];
  const poller = new Poller(
    store,
    inventory,
    read,
    { intervalMs: 100, jitterPct: 0, flushMs: 1000 },
    silent,
    {
      onFlush: (result) => flushes.push(result),
    },
  );
  poller.start();
  await new Promise((resolve) => setTimeout(resolve, 2600));
  await poller.stop();
  const samples = flushes.reduce((sum, flush) => sum + flush.samples, 0);
  t.ok(flushes.length >= 2 && flushes.length <= 4, `${flushes.length} flushes`);
  t.ok(samples >= 50, `${samples} samples`);
  t.equal(store.backlog(), samples, 'all of them in the outbox');
});

t.test('static addresses are polled before any scan finds them, then known by their serial', async (t) => {
  const ips = loopbackAllocator.take(2);
  const fleet = await startFleet({ ips: ips.slice(0, 1), seed: 9 });
  t.teardown(() => fleet.close());
  const store = new AgentStore(tempDir(t));
  t.teardown(() => store.close());
  store.nextEpoch();
  const inventory = new Inventory(store.db);
  const read = driverReader({ timeoutMs: 1000, connectTimeoutMs: 500 });
  const poller = new Poller(store, inventory, read, { staticTargets: ips }, silent);
  await poller.runCycle();
  await poller.runCycle();
  const serial = fleet.miners[0]?.serial;
  // Within a cycle samples are stored in the order the polls finished.
  const cycles = outbox(store).map((s) => `${s.minerId} ${s.status}`);
  const expected = [
    `${serial} ${MinerStatus.MINER_STATUS_OK}`,
    `ip-${ips[1]} ${MinerStatus.MINER_STATUS_UNREACHABLE}`,
  ];
  t.same(cycles.slice(0, 2).sort(), expected.sort());
  t.same(cycles.slice(2).sort(), expected.sort());
  t.same(
    inventory.list().map((m) => [m.minerId, m.ip, m.state]),
    [[serial, ips[0], 'online']],
    'the answering one is in the inventory; the silent address is not',
  );
  poller.refresh();
  t.equal(poller.stats().miners, 2, 'refresh keeps one entry per miner');
});

t.test('stop() ends polling', async (t) => {
  const { store, inventory, read } = await setup(t, 1);
  const flushes: FlushResult[] = [];
  const poller = new Poller(store, inventory, read, { intervalMs: 1000, flushMs: 100 }, silent, {
    onFlush: (result) => flushes.push(result),
  });
  poller.start();
  await waitFor('two polls', () => (store.backlog() >= 2 ? true : undefined));
  await poller.stop();
  const seen = store.backlog();
  await new Promise((resolve) => setTimeout(resolve, 1500));
  t.equal(store.backlog(), seen, 'no poll after stop');
  t.ok(flushes.length >= 2);
});

t.test('a few miners get their first poll at once even with a long interval', async (t) => {
  const { store, inventory, read } = await setup(t, 5);
  const poller = new Poller(store, inventory, read, { intervalMs: 3_600_000, flushMs: 100 }, silent);
  poller.start();
  t.teardown(() => poller.stop());
  await waitFor('all five read', () => (store.backlog() >= 5 ? true : undefined), { timeoutMs: 5000 });
  t.equal(poller.stats().online, 5);
});

t.test('a flush the store refuses is kept and written by the next one', async (t) => {
  const lines: Array<{ msg: string }> = [];
  const logger = pino({ level: 'error' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  const { store, inventory, read } = await setup(t, 2);
  const poller = new Poller(store, inventory, read, {}, logger);
  // A real SQLite failure inside the flush's transaction: the inventory write aborts.
  store.db.exec(
    `CREATE TEMP TRIGGER refuse BEFORE UPDATE ON miner BEGIN SELECT RAISE(ABORT, 'disk full'); END`,
  );
  const refused = await poller.runCycle();
  t.equal(refused.stored, undefined);
  t.equal(store.backlog(), 0, 'nothing half-written');
  t.match(lines, [{ msg: 'poll results not written; retrying' }]);
  store.db.exec('DROP TRIGGER refuse');
  const next = await poller.runCycle();
  t.equal(next.stored?.samples, 4, "the refused cycle's samples come with the next");
  t.same(
    outbox(store).map((s) => Boolean(s.identity)),
    [true, true, false, false],
    'identities still go with the first samples stored',
  );
  t.same(
    inventory.list().map((m) => m.state),
    ['online', 'online'],
  );
});

t.test(
  'another miner answering at a known address: the old one fails as replaced, the newcomer is kept',
  async (t) => {
    const ips = loopbackAllocator.take(1);
    const fleet = await startFleet({ ips, seed: 8 });
    t.teardown(() => fleet.close());
    const store = new AgentStore(tempDir(t));
    t.teardown(() => store.close());
    store.nextEpoch();
    const inventory = new Inventory(store.db);
    // What a DHCP swap looks like: the inventory knows another machine at this address.
    const old = (await driverReader({ timeoutMs: 1500 })({ minerId: 'x', ip: ips[0] as string, port: 4028 }))
      .reading;
    inventory.upsertFromReading({ ...old, serial: 'OLD-1' }, 'antminer-stock', 4028, 1);
    const poller = new Poller(store, inventory, driverReader({ timeoutMs: 1500 }), {}, silent);
    const first = await poller.runCycle();
    t.equal(first.failed, 1);
    const serial = fleet.miners[0]?.serial as string;
    const samples = () => outbox(store).map((s) => [s.minerId, s.status, s.pollError ?? '']);
    t.same(samples(), [
      [serial, MinerStatus.MINER_STATUS_OK, ''],
      ['OLD-1', MinerStatus.MINER_STATUS_UNREACHABLE, `MINER_REPLACED: ${serial} answers at ${ips[0]} now`],
    ]);
    t.equal(inventory.byIp(ips[0] as string)?.minerId, serial, 'the newcomer is in the inventory');
    poller.refresh();
    await poller.runCycle();
    t.same(
      samples().slice(2).sort(),
      [
        [serial, MinerStatus.MINER_STATUS_OK, ''],
        ['OLD-1', MinerStatus.MINER_STATUS_UNREACHABLE, `MINER_REPLACED: ${serial} answers at ${ips[0]} now`],
      ].sort(),
      'once scheduled itself, the newcomer is read once per round, not twice',
    );
  },
);
