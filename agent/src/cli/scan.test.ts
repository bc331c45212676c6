import { startFleet } from '@hashinsight/simulator';
import { loopbackAllocator } from '@hashinsight/testkit';
import t from 'tap';
import type { CliIo } from './io.js';
import { runScanCommand, type ScanRow } from './scan.js';

/** An io whose output is kept in strings; `tty` makes stderr look like a terminal. */
function capture(tty = false) {
  const out = { stdout: '', stderr: '' };
  const io: CliIo = {
    stdout: { write: (text: string) => (out.stdout += text) },
    stderr: { write: (text: string) => (out.stderr += text), isTTY: tty },
    env: {},
    cwd: process.cwd(),
  };
  return { io, out };
}

t.test('scan --json prints one array of the miners found', async (t) => {
  const ips = loopbackAllocator.take(4);
  const fleet = await startFleet({
    ips: ips.slice(0, 3),
    seed: 11,
    personalities: ['antminer', 'whatsminer', 'avalon'],
  });
  t.teardown(() => fleet.close());
  const { io, out } = capture();
  const code = await runScanCommand(
    [`${ips[0]}-${ips[3]}`, '--json', '--timeout-ms', '1500', '--concurrency', '8'],
    io,
  );
  t.equal(code, 0);
  const rows = JSON.parse(out.stdout) as ScanRow[];
  t.same(
    rows.map((row) => row.ip),
    ips.slice(0, 3),
  );
  for (const [i, row] of rows.entries()) {
    const miner = fleet.miners[i];
    t.match(row, {
      ip: miner?.ip,
      vendor: ['bitmain', 'microbt', 'canaan'][i],
      status: 'ok',
      firmware: /\S/,
    });
    t.ok(row.model.startsWith(String(miner?.model)), row.model);
    t.ok(
      Math.abs(row.hashrateThs - (miner?.snapshot()?.hashrateMhs ?? 0) / 1e6) < 1,
      `${row.hashrateThs} TH/s`,
    );
    t.ok('mac' in row);
  }
  t.equal(rows[0]?.mac, null, 'a stock Antminer tells no MAC over its API');
  t.match(rows[1]?.mac, /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
  t.notMatch(out.stderr, /\r/, 'no progress bar when stderr is not a terminal');
  t.match(out.stderr, /4 addresses probed in [\d.]+ s: 3 miners found/);
});

t.test('scan prints a table, and a progress bar on a terminal', async (t) => {
  const ips = loopbackAllocator.take(3);
  const fleet = await startFleet({ ips: ips.slice(0, 2), seed: 12 });
  t.teardown(() => fleet.close());
  await fleet.miners[1]?.setFault('garbage');
  const { io, out } = capture(true);
  const code = await runScanCommand(
    [ips[0] as string, `${ips[1]},${ips[2]}`, '--exclude', ips[2] as string],
    io,
  );
  t.equal(code, 0);
  const [header, first, ...rest] = out.stdout.split('\n');
  t.match(header, /^IP\s+MAC\s+VENDOR\s+MODEL\s+FIRMWARE\s+TH\/S\s+STATUS\s+ID$/);
  t.match(
    first,
    new RegExp(
      `^${ips[0]?.replaceAll('.', '\\.')}\\s+-\\s+bitmain\\s+Antminer S19 Pro\\s+.*\\s+ok\\s+${fleet.miners[0]?.serial}$`,
    ),
  );
  t.match(rest.join('\n'), /answered on the miner port but not identified:/);
  t.match(rest.join('\n'), new RegExp(`${ips[1]?.replaceAll('.', '\\.')}\\s+MINER_BAD_REPLY`));
  t.match(out.stderr, /\r\[#+\] 2\/2 addresses · 1 miners/, 'progress drawn in place');
  t.ok(out.stderr.includes('\r\u001b[K'), 'and cleared');
  t.match(out.stderr, /2 addresses probed .*1 miners found, 1 hosts not identified/);
});

t.test('bad arguments exit 2 with a clear message', async (t) => {
  for (const [argv, pattern] of [
    [[], /give at least one address/],
    [['10.0.0.0/8'], /more than 65536 addresses/],
    [['miner.local'], /"miner\.local" is not an IPv4 address/],
    [['10.0.0.1', '--exclude', 'x'], /"x" is not an IPv4/],
    [['10.0.0.1', '--concurrency', '0'], /--concurrency must be a whole number from 1 to 4096, got "0"/],
    [['10.0.0.1', '--concurrency', '1e3'], /--concurrency/],
    [['10.0.0.1', '--timeout-ms', '5'], /--timeout-ms must be a whole number from 10 to 60000/],
    [['10.0.0.1', '--port', '65536'], /--port/],
    [['10.0.0.1', '--threads', '0'], /--threads must be a whole number from 1 to 64/],
    [['10.0.0.1', '--port'], /--port needs a value/],
    [['10.0.0.1', '--json', '--json'], /--json is given twice/],
    [['10.0.0.1', '--bogus'], /unknown argument "--bogus"/],
    [['\u202e10.0.0.1'], /\\u202e/],
  ] as const) {
    const { io, out } = capture();
    t.equal(await runScanCommand([...argv], io), 2, JSON.stringify(argv));
    t.match(out.stderr, pattern);
    t.match(out.stderr, /usage: hashinsight-agent scan/);
    t.equal(out.stdout, '');
  }
  const { io, out } = capture();
  t.equal(await runScanCommand(['--help'], io), 0);
  t.match(out.stdout, /--exclude <list>/);
});
