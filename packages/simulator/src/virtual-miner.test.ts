import { connect } from 'node:net';
import { cgminerCommand, MinerReader, parseSummary, readCgminerMiner } from '@hashinsight/miners';
import { loopbackAllocator } from '@hashinsight/testkit';
import t from 'tap';
import { raw, started } from './test/support.js';
import { type Fault, VirtualMiner } from './virtual-miner.js';

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
  // Stock conf: the LAN may run stats, pools, devs, summary and version only (asic-protocols.md §1).
  t.match(await status('{"command":"restart"}'), [
    { STATUS: 'E', Code: 45, Msg: "Access denied to 'restart' command" },
  ]);
  t.match(await status('{"command":"frobnicate"}'), [{ STATUS: 'E', Code: 14, Msg: 'Invalid command' }]);
  t.match(await status('{"command":'), [{ STATUS: 'E', Code: 23, Msg: 'Invalid JSON' }]);
  t.match(await status('{"cmd":"summary"}'), [{ STATUS: 'E', Code: 24 }]);
  t.match(
    (await raw(miner, 'summary')).toString(),
    /^STATUS=S,.*\|SUMMARY,Elapsed=/,
    "cgminer's text form too",
  );
  await t.rejects(cgminerCommand(miner.ip, 'addpool', 'a,b,c', { port: miner.port }), {
    code: 'MINER_COMMAND_FAILED',
    message: /Code 45: Access denied to 'addpool' command/,
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

t.test(
  'a model runs its maker firmware unless told otherwise; the firmware must fit the model',
  async (t) => {
    const [ip] = loopbackAllocator.take(1) as [string];
    t.equal(new VirtualMiner({ ip, model: 'Whatsminer M30S' }).personality, 'whatsminer');
    t.equal(new VirtualMiner({ ip, model: 'Avalon A1366' }).personality, 'avalon');
    t.equal(new VirtualMiner({ ip }).personality, 'antminer');
    t.equal(
      new VirtualMiner({ ip, model: 'Antminer S19j Pro', personality: 'braiins' }).model,
      'Antminer S19j Pro',
    );
    t.throws(() => new VirtualMiner({ ip, model: 'Whatsminer M30S', personality: 'luxos' }), {
      code: 'SIMULATOR_MODEL_MISMATCH',
      message: 'luxos firmware runs on Antminer models, not on the Whatsminer M30S',
    });
  },
);

t.test('state() shows what commands changed; faults switch back and forth', async (t) => {
  const miner = await started(t, { personality: 'avalon' });
  t.match(miner.state(), {
    led: false,
    asleep: false,
    powerMode: 'normal',
    rebooting: false,
    pools: [
      {
        url: 'stratum+tcp://pool.invalid:3333',
        user: `hashinsight.${miner.ip.replaceAll('.', 'x')}`,
        active: true,
      },
      { active: false },
      { active: false },
    ],
  });
  for (const fault of ['board-failure', 'wrong-password', 'none'] as const) {
    await miner.setFault(fault);
    t.equal(miner.fault, fault);
    const reading = await new MinerReader({ port: miner.port }).read(miner.ip);
    t.equal(reading.status, fault === 'board-failure' ? 'degraded' : 'ok', `${fault}: still answers`);
  }
});

t.test('a miner closed while rebooting stays down', async (t) => {
  const miner = await started(t, { personality: 'avalon', rebootMs: 100 });
  await cgminerCommand(miner.ip, 'ascset', '0,reboot,0', { port: miner.port });
  await miner.close();
  await new Promise((resolve) => setTimeout(resolve, 250));
  await t.rejects(readCgminerMiner(miner.ip, { port: miner.port }), { code: 'MINER_CONNECT_REFUSED' });
  t.equal(miner.state().rebooting, false, 'the reboot ended with the close');
  await miner.start();
  t.equal((await new MinerReader({ port: miner.port }).read(miner.ip)).uptimeS, 0, 'and it can start again');
});

t.test('refuse during a reboot: it comes back only once the fault is cleared', async (t) => {
  const miner = await started(t, { personality: 'avalon', rebootMs: 100 });
  await cgminerCommand(miner.ip, 'ascset', '0,reboot,0', { port: miner.port });
  await miner.setFault('refuse');
  await new Promise((resolve) => setTimeout(resolve, 250));
  t.equal(miner.state().rebooting, false, 'the reboot is over');
  await t.rejects(readCgminerMiner(miner.ip, { port: miner.port }), { code: 'MINER_CONNECT_REFUSED' });
  await miner.setFault('none');
  t.equal((await new MinerReader({ port: miner.port }).read(miner.ip)).status, 'ok');
});
