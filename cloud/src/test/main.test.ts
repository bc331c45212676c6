// The CLI as an operator meets it: a child process, real environment variables, real exit codes.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tempDir } from '@hashinsight/testkit';
import t from 'tap';

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));

function run(env: Record<string, string>, args: string[] = [], stopWhen?: RegExp) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
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
