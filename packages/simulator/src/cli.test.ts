import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { MinerReader, readCgminerMiner, WebClient } from '@hashinsight/miners';
import { freePort, loopbackAllocator, waitFor } from '@hashinsight/testkit';
import t from 'tap';
import { assignMix, parseMix } from './mix.js';

// The CLI is tested as shipped: the compiled file, run by node (`npm test` builds first).
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

function run(args: string[], openFiles?: number) {
  // The open-file limit can only be lowered by the shell that starts node, as an operator would.
  const child =
    openFiles === undefined
      ? spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn('/bin/sh', ['-c', `ulimit -n ${openFiles} && exec "$0" "$@"`, process.execPath, cli, ...args], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk) => (output.stdout += chunk));
  child.stderr.on('data', (chunk) => (output.stderr += chunk));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return { child, output, exited };
}

t.test('bad arguments exit 2 with a message', async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [['--cidr', '10.0.0.0/24'], /simulator only binds loopback addresses \(127\.0\.0\.0\/8\)/],
    [['--count', 'many'], /--count must be an integer/],
    [['--port', '0'], /--port must be an integer from 1 to 65535/],
    [['--mix', 'stock'], /--mix entries are firmware:percent, not "stock"/],
    [['--mix', 'antminer:60,whatsminer:25,avalon:10'], /--mix percentages must add up to 100, not 95/],
    [['--mix', 'antminer:90,goldshell:10'], /--mix: unknown firmware "goldshell"/],
    [['--http-port', 'eighty'], /--http-port must be an integer from 1 to 65535/],
    [['--count', '3', '--port', '9000', '--http-port', '9000'], /--http-port must differ from --port/],
  ];
  // Side by side: each is a node start-up, and none listens.
  const runs = cases.map(([args]) => run(args));
  for (const [i, [args, message]] of cases.entries()) {
    const { output, exited } = runs[i]!;
    const [code] = await exited;
    t.equal(code, 2, `${args.join(' ')} exits 2`);
    t.match(output.stderr, message);
    t.match(output.stderr, /usage:/);
    t.equal(output.stdout, '');
  }
});

t.test('starts, says ready, serves, and exits 0 on SIGTERM', async (t) => {
  const [ip] = loopbackAllocator.take(1) as [string];
  const port = await freePort(ip);
  const { child, output, exited } = run([
    '--count',
    '1',
    '--cidr',
    `${ip}/32`,
    '--port',
    String(port),
    '--seed',
    '3',
  ]);
  t.teardown(() => child.kill('SIGKILL'));
  await waitFor('ready line', () => (output.stdout.includes('\n') ? true : undefined));
  t.equal(output.stdout, `simulator ready: 1 miner on ${ip}-${ip} port ${port}\n`);
  t.equal((await readCgminerMiner(ip, { port })).status, 'ok');
  child.kill('SIGTERM');
  t.same(await exited, [0, null]);
  t.equal(output.stderr, '');
});

/**
 * `size` loopback addresses of this process's block that form a CIDR block of their own (size a power of 2), so
 * the CLI's `--cidr` takes exactly addresses no other test uses. Returns the block and its usable hosts.
 */
function loopbackBlock(size: number): { cidr: string; hosts: string[] } {
  const [probe] = loopbackAllocator.take(1) as [string];
  const [, , third, fourth] = probe.split('.').map(Number) as [number, number, number, number];
  const next = third * 256 + fourth + 1;
  const skip = (size - (next % size)) % size;
  if (skip > 0) loopbackAllocator.take(skip);
  const block = loopbackAllocator.take(size);
  return { cidr: `${block[0]}/${32 - Math.log2(size)}`, hosts: block.slice(1, -1) };
}

t.test('a few hundred miners of a mix, each read by its driver, web CGIs on the Antminers', async (t) => {
  const { cidr, hosts } = loopbackBlock(512);
  const count = 300;
  const port = await freePort(hosts[0]);
  const httpPort = await freePort(hosts[0]);
  const mix = 'antminer:60,whatsminer:25,avalon:10,braiins:5';
  const args = [
    '--count',
    String(count),
    '--cidr',
    cidr,
    '--port',
    String(port),
    '--http-port',
    String(httpPort),
  ];
  const { child, output, exited } = run([...args, '--mix', mix, '--seed', '9']);
  t.teardown(() => child.kill('SIGKILL'));
  await waitFor('ready line', () => (output.stdout.includes('\n') ? true : undefined), { timeoutMs: 30_000 });
  t.equal(
    output.stdout,
    `simulator ready: ${count} miners on ${hosts[0]}-${hosts[count - 1]} port ${port}, web CGI on port ${httpPort} ` +
      '(antminer 60%, whatsminer 25%, avalon 10%, braiins 5%)\n',
  );
  const expected = assignMix(parseMix(mix), count);
  const drivers: Record<string, string> = {
    antminer: 'antminer-stock',
    whatsminer: 'whatsminer-btminer',
    avalon: 'avalon-cgminer',
    braiins: 'braiins-os',
  };
  const reader = new MinerReader({ port, timeoutMs: 5000 });
  const targets = hosts.slice(0, count);
  const statuses: string[] = [];
  for (let at = 0; at < targets.length; at += 50) {
    const batch = targets.slice(at, at + 50);
    statuses.push(...(await Promise.all(batch.map(async (ip) => (await reader.read(ip)).status))));
  }
  t.same(
    targets.map((ip) => reader.driverOf(ip)?.id),
    expected.map((name) => drivers[name]),
    'every miner runs the firmware the mix gave it',
  );
  t.ok(
    statuses.every((status) => status === 'ok'),
    'all hashing',
  );
  const first = targets[expected.indexOf('antminer')] as string;
  const web = new WebClient(first, { port: httpPort, credentials: { username: 'root', password: 'root' } });
  t.match((await web.request('/cgi-bin/get_system_info.cgi')).json, { ipaddress: first });
  const whatsminer = targets[expected.indexOf('whatsminer')] as string;
  await t.rejects(
    new WebClient(whatsminer, {
      port: httpPort,
      credentials: { username: 'root', password: 'root' },
    }).request('/'),
    {
      code: 'MINER_CONNECT_REFUSED',
    },
  );
  child.kill('SIGTERM');
  t.same(await exited, [0, null]);
  t.equal(output.stderr, '');
});

t.test(
  'an open-file limit too low for the fleet fails at start, saying what to run',
  { skip: process.platform !== 'linux' },
  async (t) => {
    const { cidr } = loopbackBlock(512);
    const { output, exited } = run(['--count', '300', '--cidr', cidr, '--http-port', '8081'], 256);
    const [code] = await exited;
    t.equal(code, 1);
    t.match(
      output.stderr,
      /^simulator: the open-file limit is 256, but 600 listening sockets need at least 856: .*ulimit -n 856/,
    );
    t.equal(output.stdout, '');
  },
);
