import { createServer } from 'node:net';
import { bytesToIp, discoveryReportCodec, MAX_MESSAGE_BYTES } from '@hashinsight/protocol';
import { startFleet } from '@hashinsight/simulator';
import { loopbackAllocator, tempDir } from '@hashinsight/testkit';
import t from 'tap';
import { Inventory } from '../inventory/index.js';
import { AgentStore } from '../store/index.js';
import { discoveryPayloads, type ScanProgress, scan } from './index.js';

t.test('a mixed fleet is found and identified; holes, exclusions and strangers are told apart', async (t) => {
  const ips = loopbackAllocator.take(12);
  // Miners on 0, 2..9; 1 is an empty address; 10 will be excluded; 11 is a stranger speaking something else.
  const minerIps = ips.filter((_, i) => i !== 1 && i !== 11);
  const fleet = await startFleet({
    ips: minerIps,
    seed: 3,
    personalities: ['antminer', 'whatsminer', 'avalon', 'braiins', 'luxos', 'vnish'],
  });
  t.teardown(() => fleet.close());
  const stranger = createServer((socket) => {
    socket.on('error', () => {}); // the probe hangs up at once
    socket.end('SSH-2.0-OpenSSH_9.6\r\n');
  });
  await new Promise<void>((resolve) => stranger.listen(4028, ips[11], resolve));
  t.teardown(() => stranger.close());
  const hung = fleet.miners[8];
  await hung?.setFault('silent');

  const store = new AgentStore(tempDir(t));
  t.teardown(() => store.close());
  const inventory = new Inventory(store.db);
  const progress: ScanProgress[] = [];
  const result = await scan({
    targets: [`${ips[0]}-${ips[11]}`],
    exclude: [ips[10] as string],
    concurrency: 4,
    timeoutMs: 800,
    inventory,
    onProgress: (p) => progress.push(p),
  });

  t.equal(result.probed, 11, 'the excluded address is not probed');
  t.same(result.ranges, [`${ips[0]}-${ips[11]}`]);
  t.same(result.exclude, [ips[10]]);
  t.notOk(result.aborted);
  const expected = fleet.miners.slice(0, 8).filter((miner) => miner !== hung);
  t.same(
    result.miners.map((m) => m.ip),
    expected.map((miner) => miner.ip),
    'every answering miner, in address order',
  );
  for (const [i, found] of result.miners.entries()) {
    const miner = expected[i];
    t.ok(found.reading.model.startsWith(String(miner?.model)), `${found.ip} model ${found.reading.model}`);
    t.ok(found.reading.firmware, `${found.ip} firmware`);
    // The firmware decides how firmly a miner names itself over the cgminer API alone.
    const id = found.reading.mac
      ? found.reading.mac.replaceAll(':', '')
      : found.driver === 'antminer-stock'
        ? miner?.serial
        : `ip-${found.ip}`;
    t.equal(found.minerId, id, `${found.ip} (${found.driver}) id`);
    t.ok(found.reading.hashrateMhs > 0, `${found.ip} hashrate`);
    t.ok(found.created, `${found.ip} new to the inventory`);
  }
  t.same(new Set(result.miners.map((m) => m.driver)).size >= 5, true, 'several drivers took part');
  t.same(
    result.unidentified.map((host) => [host.ip, host.code]).sort(),
    [
      [hung?.ip, 'MINER_TIMEOUT'],
      [ips[11], 'MINER_BAD_REPLY'],
    ].sort(),
    'the hung miner and the stranger are reported, not thrown',
  );
  t.equal(progress.length, 11);
  t.match(progress.at(-1), { probed: 11, total: 11, open: 10, found: 8 });

  t.same(
    inventory.list().map((m) => m.ip),
    expected.map((miner) => miner.ip),
  );
  t.match(inventory.events({ limit: 1 }), [
    { kind: 'scan.finished', detail: { scanId: result.scanId, found: 8 } },
  ]);

  // A second scan knows them all; a miner that moved is tracked as a move.
  const again = await scan({ targets: [`${ips[0]}-${ips[9]}`], inventory, timeoutMs: 800 });
  t.ok(again.miners.every((m) => m.created === false));
  t.not(again.scanId, result.scanId);
});

t.test('the discovery report carries what was found, split when it would be too big', async (t) => {
  const ips = loopbackAllocator.take(3);
  const fleet = await startFleet({ ips: ips.slice(0, 2), seed: 4 });
  t.teardown(() => fleet.close());
  const result = await scan({ targets: ips, timeoutMs: 800 });
  const [payload, ...more] = discoveryPayloads(result);
  t.equal(more.length, 0);
  const report = discoveryReportCodec.decode(payload as Uint8Array);
  t.equal(report.scanId, result.scanId);
  t.equal(report.addressesProbed, 3);
  t.same(report.ranges, ips);
  t.same(
    report.miners.map((m) => [
      bytesToIp(m.identity?.ip as Uint8Array),
      m.identity?.minerId,
      m.driver,
      m.openPorts,
    ]),
    fleet.miners.map((miner) => [miner.ip, miner.serial, 'antminer-stock', [4028]]),
  );

  // Many miners: cut into parts under the message limit, the same scan id in each, none lost.
  const many = {
    ...result,
    ranges: Array.from({ length: 5000 }, (_, i) => `10.0.${i >> 8}.${i & 255}`),
    miners: Array.from({ length: 3000 }, (_, i) => ({
      ...(result.miners[0] as (typeof result.miners)[number]),
      minerId: `serial-${i}`,
    })),
  };
  const parts = discoveryPayloads(many);
  t.ok(parts.length >= 2, `${parts.length} parts`);
  const decoded = parts.map((part) => discoveryReportCodec.decode(part));
  t.ok(parts.every((part) => part.length <= MAX_MESSAGE_BYTES));
  t.ok(decoded.every((report) => report.scanId === result.scanId));
  t.same(
    decoded.flatMap((report) => report.miners.map((m) => m.identity?.minerId)),
    many.miners.map((m) => m.minerId),
  );
  t.match(decoded[0]?.ranges.at(-1), /^\+\d+ more$/, 'a long list of ranges is cut with a count');
});

t.test('bad targets and options are refused before any probe', async (t) => {
  await t.rejects(scan({ targets: ['10.0.0.0/8'] }), {
    code: 'SCAN_BAD_TARGETS',
    message: /more than 65536/,
  });
  await t.rejects(scan({ targets: ['nope'] }), { code: 'SCAN_BAD_TARGETS', message: /"nope"/ });
  await t.rejects(scan({ targets: ['127.0.0.1'], exclude: ['x'] }), { code: 'SCAN_BAD_TARGETS' });
  await t.rejects(scan({ targets: ['127.0.0.1'], concurrency: 0 }), { code: 'SCAN_BAD_OPTION' });
  await t.rejects(scan({ targets: ['127.0.0.1'], port: 70_000 }), { code: 'SCAN_BAD_OPTION' });
  await t.rejects(scan({ targets: ['127.0.0.1'], timeoutMs: 1.5 }), { code: 'SCAN_BAD_OPTION' });
  const empty = await scan({ targets: [] });
  t.match(empty, { probed: 0, miners: [], unidentified: [] });
});

t.test('an aborted scan stops handing out addresses', async (t) => {
  const ips = loopbackAllocator.take(200);
  const abort = new AbortController();
  const result = await scan({
    targets: [`${ips[0]}-${ips[199]}`],
    concurrency: 2,
    signal: abort.signal,
    onProgress: (p) => {
      if (p.probed === 10) abort.abort();
    },
  });
  t.ok(result.aborted);
  t.ok(result.probed < 20, `${result.probed} probed`);
});

t.test('probe threads find the same miners as one thread', async (t) => {
  const ips = loopbackAllocator.take(1200);
  // Miners scattered over the range, so every chunk has some and some have none.
  const minerIps = ips.filter((_, i) => i % 97 === 3 || i === 1199);
  const fleet = await startFleet({ ips: minerIps, seed: 6 });
  t.teardown(() => fleet.close());
  const targets = [`${ips[0]}-${ips[1199]}`];
  const progress: ScanProgress[] = [];
  const threaded = await scan({
    targets,
    threads: 3,
    concurrency: 64,
    timeoutMs: 1500,
    onProgress: (p) => progress.push(p),
  });
  const single = await scan({ targets, concurrency: 64, timeoutMs: 1500 });
  t.equal(threaded.probed, 1200);
  t.same(
    threaded.miners.map((m) => [m.ip, m.minerId]),
    minerIps.map((ip, i) => [ip, fleet.miners[i]?.serial]),
    'all of them, in address order',
  );
  t.same(
    threaded.miners.map((m) => m.ip),
    single.miners.map((m) => m.ip),
  );
  t.same(threaded.unidentified, []);
  t.match(progress.at(-1), { probed: 1200, total: 1200, found: minerIps.length });
  await t.rejects(scan({ targets, threads: 0 }), { code: 'SCAN_BAD_OPTION' });
});
