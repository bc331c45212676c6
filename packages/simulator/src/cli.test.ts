import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { readCgminerMiner } from '@hashinsight/miners';
import { freePort, loopbackAllocator, waitFor } from '@hashinsight/testkit';
import t from 'tap';

// The CLI is tested as shipped: the compiled file, run by node (`npm test` builds first).
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

function run(args: string[]) {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
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
    [['--mix', 'stock'], /Unknown option '--mix'/],
  ];
  for (const [args, message] of cases) {
    const { output, exited } = run(args);
    const [code] = await exited;
    t.equal(code, 2, `${args.join(' ')} exits 2`);
    t.match(output.stderr, message);
    t.match(output.stderr, /usage:/);
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
