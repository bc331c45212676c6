// The hashinsight-agent command as a technician runs it: arguments and environment from outside, exit codes out.
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tempDir } from '@hashinsight/testkit';
import t from 'tap';

const main = resolve(import.meta.dirname, '../../dist/main.js');
const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [main, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...env },
    timeout: 30_000,
  });

t.test('unknown commands and options exit 2 with the usage, hostile arguments shown safely', async (t) => {
  for (const args of [['frobnicate'], ['\u00ff\u202e;rm -rf /'], ['x'.repeat(10_000)]]) {
    const result = run(args);
    t.equal(result.status, 2, JSON.stringify(args[0]?.slice(0, 20)));
    t.match(result.stderr, /unknown command/);
    t.match(result.stderr, /usage: hashinsight-agent/);
    t.ok(result.stderr.length < 1200, 'a huge argument is not echoed whole');
    t.notMatch(result.stderr, /\u202e/, 'a bidi override is spelled out');
  }
  const option = run(['status', '--frobnicate']);
  t.equal(option.status, 2);
  t.match(option.stderr, /status: unknown argument "--frobnicate"\nusage: hashinsight-agent status/);
  const help = run(['doctor', '--help']);
  t.equal(help.status, 0);
  t.match(help.stdout, /^usage: hashinsight-agent doctor/);
  t.match(run(['--version']).stdout, /^\d+\.\d+\.\d+\n$/);
});

t.test('bad settings exit 1 naming the variable or key, without a stack trace', async (t) => {
  for (const command of [[], ['status'], ['doctor']]) {
    const result = run(command, { HASHINSIGHT_AGENT_POLL_INTERVAL_MS: 'often' });
    t.equal(result.status, 1, command.join() || '(none)');
    t.match(result.stderr, /HASHINSIGHT_AGENT_POLL_INTERVAL_MS/);
    t.notMatch(result.stderr, /\n\s+at /, 'no stack trace');
  }
  const dir = tempDir(t);
  writeFileSync(join(dir, 'agent.json'), '{"healthPort": "everywhere"}');
  const fromFile = run(['print-config', '--config', join(dir, 'agent.json')]);
  t.equal(fromFile.status, 1);
  t.match(fromFile.stderr, /healthPort in .*agent\.json must be a whole number/);
});

t.test(
  'print-config (and the old --print-config) shows the effective settings, credentials masked',
  async (t) => {
    const dir = tempDir(t);
    writeFileSync(
      join(dir, 'agent.json'),
      JSON.stringify({ pollIntervalMs: 15_000, scanTargets: ['127.1.0.0/24'] }),
    );
    const env = {
      HASHINSIGHT_DATA_DIR: dir,
      HASHINSIGHT_AGENT_MQTT_URL: 'mqtt://site-7:s3cret-pass@127.0.0.1:18830',
      HASHINSIGHT_AGENT_MINERS: '127.1.0.0/30',
    };
    for (const args of [['--print-config'], ['print-config']]) {
      const result = run(args, env);
      t.equal(result.status, 0, result.stderr);
      const printed = JSON.parse(result.stdout);
      t.equal(printed.dataDir, dir);
      t.equal(printed.miners, '2 addresses');
      t.equal(printed.pollIntervalMs, 60_000);
      t.notMatch(result.stdout, /s3cret-pass|site-7/, 'no credential printed');
      t.match(printed.mqttUrl, /^mqtt:\/\/\*{4}:\*{4}@127\.0\.0\.1:18830/);
    }
    const withFile = JSON.parse(run(['print-config', '--config', join(dir, 'agent.json')], env).stdout);
    t.equal(withFile.pollIntervalMs, 15_000);
    t.same(withFile.scanTargets, ['127.1.0.0/24']);
    const viaEnv = JSON.parse(
      run(['print-config'], { ...env, HASHINSIGHT_AGENT_CONFIG: join(dir, 'agent.json') }).stdout,
    );
    t.equal(viaEnv.pollIntervalMs, 15_000);
  },
);

t.test('a reader that closes the pipe early (| head) ends the command quietly', async (t) => {
  const child = spawn(process.execPath, [main, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const code = await new Promise((done) => child.on('exit', done));
  t.equal(code, 0);
  t.equal(stderr, '', 'no EPIPE stack trace');
});
