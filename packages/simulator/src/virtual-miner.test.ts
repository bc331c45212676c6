import { connect } from 'node:net';
import { cgminerCommand, parseSummary, readCgminerMiner } from '@hashinsight/miners';
import { loopbackAllocator } from '@hashinsight/testkit';
import t from 'tap';
import { type Fault, VirtualMiner, type VirtualMinerOptions } from './virtual-miner.js';

type Teardown = { teardown(fn: () => unknown): void };

async function started(t: Teardown, options: Partial<VirtualMinerOptions> = {}): Promise<VirtualMiner> {
  const [ip] = loopbackAllocator.take(1) as [string];
  const miner = new VirtualMiner({ ip, port: 0, ...options });
  await miner.start();
  t.teardown(() => miner.close());
  return miner;
}

/** Sends raw bytes the way any client could, and returns everything the miner sent before closing. */
function raw(miner: VirtualMiner, request: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: miner.ip, port: miner.port }, () => socket.write(request));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.on('error', reject);
  });
}

t.test('readCgminerMiner reads exactly what the miner reported', async (t) => {
  const miner = await started(t, { model: 'Antminer S19 Pro', seed: 42 });
  t.equal(miner.snapshot(), undefined, 'nothing reported yet');
  const reading = await readCgminerMiner(miner.ip, { port: miner.port });
  const reported = miner.snapshot()!;
  t.match(reading, {
    ip: miner.ip,
    vendor: 'bitmain',
    model: 'Antminer S19 Pro',
    firmware: 'BMMiner 1.0.0',
    status: 'ok',
    hashrateMhs: reported.hashrateMhs,
    hashrateAvgMhs: reported.hashrateAvgMhs,
    hashrateExpectedMhs: 110_000_000,
    uptimeS: reported.elapsed,
    errors: [],
  });
  t.equal(reading.pools.length, 3, 'the pools it serves');
  t.ok(
    reading.pools.every((pool) => new URL(pool.url).hostname.endsWith('.invalid')),
    'pool hosts can never resolve',
  );
  t.equal(miner.hashrateMhs, reading.hashrateMhs);
  t.ok(Math.abs(reading.hashrateMhs - 110_000_000) <= 2_200_000, 'within 2% of nominal');
});

t.test('summary counters match the snapshot and grow with time', async (t) => {
  let now = Date.UTC(2025, 0, 1);
  const miner = await started(t, { now: () => now, model: 'Antminer S21' });
  now += 3_600_000;
  const first = parseSummary(await cgminerCommand(miner.ip, 'summary', undefined, { port: miner.port }));
  const snapshot = miner.snapshot()!;
  t.same(first, {
    hashrateMhs: snapshot.hashrateMhs,
    hashrateAvgMhs: snapshot.hashrateAvgMhs,
    uptimeS: 3600,
    accepted: snapshot.accepted,
    rejected: snapshot.rejected,
    stale: snapshot.stale,
  });
  t.equal(snapshot.when, Date.UTC(2025, 0, 1, 1) / 1000);
  t.ok(first.accepted > 100, `${first.accepted} shares in an hour at 200 TH/s`);
  now += 3_600_000;
  const second = parseSummary(await cgminerCommand(miner.ip, 'summary', undefined, { port: miner.port }));
  t.equal(second.uptimeS, 7200);
  t.ok(second.accepted > first.accepted && second.rejected >= first.rejected);
  t.equal(second.hashrateAvgMhs, first.hashrateAvgMhs, 'GHS av holds steady');
});

t.test('the same seed and clock give the same replies', async (t) => {
  const now = () => Date.UTC(2025, 0, 1);
  const a = await started(t, { seed: 7, now });
  const b = await started(t, { seed: 7, now });
  const c = await started(t, { seed: 8, now });
  for (let i = 0; i < 3; i++) {
    const [ra, rb, rc] = await Promise.all([a, b, c].map((miner) => raw(miner, '{"command":"summary"}')));
    t.same(ra, rb, `reply ${i} identical`);
    t.notSame(ra, rc, `reply ${i} differs with another seed`);
  }
});

t.test('speaks the cgminer wire protocol', async (t) => {
  const miner = await started(t);
  for (const command of ['summary', 'version', 'pools', 'devs', 'stats']) {
    const reply = await raw(miner, JSON.stringify({ command }));
    t.equal(reply.at(-1), 0, `${command} ends with a NUL, then the miner closes`);
    const section = command === 'devs' ? 'DEVS' : command.toUpperCase();
    t.ok(Array.isArray(JSON.parse(reply.subarray(0, -1).toString())[section]), `${command} has ${section}`);
  }
  const status = async (request: string) =>
    JSON.parse((await raw(miner, request)).subarray(0, -1).toString()).STATUS;
  t.match(await status('{"command":"restart"}'), [{ STATUS: 'E', Code: 14, Msg: 'Invalid command' }]);
  t.match(await status('summary'), [{ STATUS: 'E', Code: 23, Msg: 'Invalid JSON' }]);
  t.match(await status('{"cmd":"summary"}'), [{ STATUS: 'E', Code: 24 }]);
  await t.rejects(cgminerCommand(miner.ip, 'addpool', 'a,b,c', { port: miner.port }), {
    code: 'MINER_COMMAND_FAILED',
    message: /Code 14: Invalid command/,
  });
});

t.test('each fault gives the reader a typed error, and the miner recovers', async (t) => {
  const miner = await started(t);
  const options = { port: miner.port, timeoutMs: 1200 };
  const expected: Array<[Fault, RegExp]> = [
    ['silent', /^MINER_TIMEOUT$/],
    ['garbage', /^MINER_BAD_REPLY$/],
    ['slow-drip', /^MINER_TIMEOUT$/],
    // The miner waits before its RST so the reader sees ECONNRESET; a badly delayed reader may see EOF instead.
    ['reset', /^MINER_(CONNECTION_RESET|BAD_REPLY)$/],
    ['refuse', /^MINER_CONNECT_REFUSED$/],
  ];
  for (const [fault, code] of expected) {
    await miner.setFault(fault);
    t.equal(miner.fault, fault);
    const error = await readCgminerMiner(miner.ip, options).catch((e: unknown) => e);
    t.match(error, { name: 'MinerError', code }, fault);
    await miner.setFault('none');
    t.equal((await readCgminerMiner(miner.ip, options)).status, 'ok', `back to normal after ${fault}`);
  }
});

t.test('a slow drip really drips', async (t) => {
  const miner = await started(t);
  await miner.setFault('slow-drip');
  const bytes: number[] = [];
  const socket = connect({ host: miner.ip, port: miner.port }, () => socket.write('{"command":"version"}'));
  socket.on('data', (chunk) => bytes.push(chunk.length));
  await new Promise((resolve) => setTimeout(resolve, 1200));
  socket.destroy();
  t.same(bytes, [1, 1], 'one byte every 500 ms');
});

t.test('close ends open connections and stops listening', async (t) => {
  const [ip] = loopbackAllocator.take(1) as [string];
  const miner = new VirtualMiner({ ip, port: 0 });
  await miner.start();
  await miner.setFault('silent');
  const pending = readCgminerMiner(ip, { port: miner.port, timeoutMs: 5000 });
  await new Promise((resolve) => setTimeout(resolve, 50));
  await miner.close();
  await t.rejects(pending, { code: 'MINER_EMPTY_REPLY' }, 'the open connection was dropped');
  await t.rejects(readCgminerMiner(ip, { port: miner.port }), { code: 'MINER_CONNECT_REFUSED' });
});

t.test('refuses a non-loopback address and an unknown model', async (t) => {
  t.throws(() => new VirtualMiner({ ip: '192.168.1.10' }), {
    code: 'SIMULATOR_NOT_LOOPBACK',
    message: /^simulator only binds loopback addresses \(127\.0\.0\.0\/8\)/,
  });
  t.throws(() => new VirtualMiner({ ip: '127.0.0.1', model: 'Antminer S99' }), {
    code: 'SIMULATOR_UNKNOWN_MODEL',
  });
});

t.test('a taken address is a typed listen error', async (t) => {
  const miner = await started(t);
  const twin = new VirtualMiner({ ip: miner.ip, port: miner.port });
  await t.rejects(twin.start(), { code: 'SIMULATOR_LISTEN_FAILED', cause: { code: 'EADDRINUSE' } });
});
