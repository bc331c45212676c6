// The hashinsight-agent command as a technician runs it: arguments and environment from outside, exit codes out.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { tempDir } from '@hashinsight/testkit';
import t from 'tap';

const main = resolve(import.meta.dirname, '../../dist/main.js');
const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [main, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...env },
  });

t.test('unknown arguments exit 2 with the usage', async (t) => {
  for (const args of [
    ['--frobnicate'],
    ['run', '--print-config'],
    ['\u00ff\u202e;rm -rf /'],
    ['-'.repeat(10_000)],
  ]) {
    const result = run(args);
    t.equal(result.status, 2, JSON.stringify(args[0]?.slice(0, 20)));
    t.match(result.stderr, /unknown argument/);
    t.match(result.stderr, /usage: hashinsight-agent/);
    t.ok(result.stderr.length < 400, 'a huge argument is not echoed whole');
    t.notMatch(result.stderr, /\u202e/, 'a bidi override is spelled out, not written to the terminal');
  }
});

t.test('bad settings exit 1 naming the variable, without a stack trace', async (t) => {
  const result = run([], { HASHINSIGHT_AGENT_POLL_INTERVAL_MS: 'often' });
  t.equal(result.status, 1);
  t.match(result.stderr, /HASHINSIGHT_AGENT_POLL_INTERVAL_MS/);
  t.notMatch(result.stderr, /\n\s+at /, 'no stack trace');
});

t.test('--print-config shows the effective settings with broker credentials masked', async (t) => {
  const dir = tempDir(t);
  const result = run(['--print-config'], {
    HASHINSIGHT_DATA_DIR: dir,
    HASHINSIGHT_AGENT_MQTT_URL: 'mqtt://site-7:s3cret-pass@127.0.0.1:18830',
    HASHINSIGHT_AGENT_MINERS: '127.1.0.0/30',
  });
  t.equal(result.status, 0, result.stderr);
  const printed = JSON.parse(result.stdout);
  t.equal(printed.dataDir, dir);
  t.equal(printed.miners, '2 addresses');
  t.equal(printed.pollIntervalMs, 60_000);
  t.notMatch(result.stdout, /s3cret-pass|site-7/, 'no credential printed');
  t.match(printed.mqttUrl, /^mqtt:\/\/\*{4}:\*{4}@127\.0\.0\.1:18830/);
});
