// The CLI as an operator meets it: a child process, real environment variables, real exit codes.
// It runs the built dist/main.js, the file the bin entry points at: build first (`npx tsc -b cloud`).
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { tempDir } from '@hashinsight/testkit';
import t, { type Test } from 'tap';

const MAIN = resolve(import.meta.dirname, '../../dist/main.js');
const USAGE =
  'usage: hashinsight-cloud [--print-config]\n       hashinsight-cloud audit-verify\n       hashinsight-cloud create-tenant --name <company> --owner-email <email>\n';

function run(env: Record<string, string>, args: string[] = [], stopWhen?: RegExp) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [MAIN, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    let stopped = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
      if (stopped || !stopWhen?.test(stdout)) return;
      stopped = true; // once: a second signal during shutdown kills the process on purpose
      child.kill('SIGTERM');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * For arguments that must be refused: a server that started anyway would use a temp folder and free ports,
 * and be stopped once it prints its login, so the test fails instead of hanging.
 */
function refused(t: Test, args: string[]) {
  const env = { HASHINSIGHT_DATA_DIR: tempDir(t), HASHINSIGHT_HTTP_PORT: '0', HASHINSIGHT_MQTT_PORT: '0' };
  return run(env, args, /password: /);
}

t.test('unknown arguments exit 2 with the usage, and the server never starts', async (t) => {
  for (const args of [['--frobnicate'], ['--print-config', 'extra'], ['start'], ['-'], ['']]) {
    const { code, stdout, stderr } = await refused(t, args);
    t.equal(code, 2, JSON.stringify(args));
    t.equal(stdout, '', 'nothing on stdout');
    const unknown = args.find((arg) => arg !== '--print-config');
    t.equal(stderr, `hashinsight-cloud: unknown argument ${JSON.stringify(unknown)}\n${USAGE}`);
  }
});

t.test('a hostile argument is echoed escaped, never acted on or passed to the terminal raw', async (t) => {
  const { code, stdout, stderr } = await refused(t, ['\u00ff\u202e;rm -rf /']);
  t.equal(code, 2);
  t.equal(stdout, '');
  t.equal(
    stderr,
    `hashinsight-cloud: unknown argument "\u00ff\\u202e;rm -rf /"\n${USAGE}`,
    'the right-to-left override is spelled out as \\u202e',
  );
  const terminal = await refused(t, ['\u001b[2J\u0007']);
  t.equal(terminal.code, 2);
  t.equal(
    terminal.stderr,
    `hashinsight-cloud: unknown argument "\\u001b[2J\\u0007"\n${USAGE}`,
    'a terminal escape sequence is spelled out, not sent to the terminal',
  );
});

t.test('a 10,000-character argument exits 2 with a short message', async (t) => {
  const { code, stdout, stderr } = await refused(t, ['x'.repeat(10_000)]);
  t.equal(code, 2);
  t.equal(stdout, '');
  t.equal(stderr, `hashinsight-cloud: unknown argument "${'x'.repeat(80)}"… (10000 characters)\n${USAGE}`);
});

t.test('bad config exits 1 with a message naming the key and no stack trace', async (t) => {
  const { code, stdout, stderr } = await run({ HASHINSIGHT_LOG_LEVEL: 'loud' });
  t.equal(code, 1);
  t.equal(stdout, '');
  t.match(stderr, /^hashinsight-cloud: HASHINSIGHT_LOG_LEVEL must be one of/);
  t.notMatch(stderr, /\n\s+at /, 'no stack trace');
});

t.test('--print-config shows the effective settings with secrets masked', async (t) => {
  const { code, stdout } = await run({ HASHINSIGHT_JWT_SECRET: 's'.repeat(40) }, ['--print-config']);
  t.equal(code, 0);
  t.match(JSON.parse(stdout), { httpPort: 8420, jwtSecret: '********', bootstrapPassword: null });
});

t.test('starts, prints the demo login once, and stops cleanly on SIGTERM', async (t) => {
  const env = {
    HASHINSIGHT_DATA_DIR: tempDir(t),
    HASHINSIGHT_HTTP_PORT: '0',
    HASHINSIGHT_MQTT_PORT: '0',
  };
  const { code, stdout } = await run(env, [], /password: .+\n/);
  t.equal(code, 0, 'exit 0 after SIGTERM');
  t.match(stdout, /"msg":"cloud listening"/);
  t.match(stdout, /email: {4}admin@hashinsight\.local/);
  const password = /password: (\S+) {3}<- generated/.exec(stdout)?.[1] ?? '';
  t.ok(password.length >= 20, 'a generated password');
  t.match(stdout, /"msg":"cloud stopped"/);
  t.equal(stdout.split(password).length - 1, 1, 'the password appears exactly once, never in a log line');
});
