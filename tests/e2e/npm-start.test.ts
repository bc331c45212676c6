// `npm start` as the README promises: a fleet, a cloud and an agent on embedded defaults, every miner listed with
// a hashrate within 30 seconds, logged in with the printed demo credentials; Ctrl+C stops every process.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { freePort, tempDir, waitFor } from '@hashinsight/testkit';
import t from 'tap';

const root = resolve(import.meta.dirname, '../..');

t.test('the launcher serves every simulated miner within 30 s and stops cleanly', async (t) => {
  const [httpPort, mqttPort] = [await freePort(), await freePort()];
  const launcher = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    cwd: root,
    env: {
      ...process.env,
      HASHINSIGHT_DATA_DIR: tempDir(t),
      HASHINSIGHT_HTTP_PORT: String(httpPort),
      HASHINSIGHT_MQTT_PORT: String(mqttPort),
      // Above the testkit's loopback blocks (127.16-250.x.x), so parallel suites never collide with it.
      HASHINSIGHT_SIM_CIDR: '127.253.7.0/24',
      HASHINSIGHT_SIM_COUNT: '5',
      HASHINSIGHT_BOOTSTRAP_PASSWORD: '',
      // The two commands promise embedded defaults: the service URLs CI exports must not switch them off.
      DATABASE_URL: '',
      REDIS_URL: '',
      MQTT_URL: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((done) => launcher.once('exit', (code) => done(code)));
  t.teardown(() => {
    if (launcher.exitCode === null) launcher.kill('SIGKILL');
  });
  let output = '';
  launcher.stdout.on('data', (chunk) => {
    output += chunk;
  });
  launcher.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const started = Date.now();

  const [, email, password] = await waitFor(
    'the demo login',
    () => output.match(/Demo login\s+(\S+) \/ (\S+)/) ?? undefined,
    {
      timeoutMs: 30_000,
    },
  );
  const url = `http://127.0.0.1:${httpPort}`;
  t.match(output, url, 'prints the cloud URL');
  const login = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  t.equal(login.status, 200, 'the printed credentials log in');
  const token = ((await login.json()) as { data: { accessToken: string } }).data.accessToken;

  const miners = await waitFor(
    'five miners with a hashrate',
    async () => {
      const response = await fetch(`${url}/api/miners`, { headers: { authorization: `Bearer ${token}` } });
      const body = (await response.json()) as {
        data: { miners: Array<{ ip: string; hashrateMhs: number }> };
      };
      const listed = body.data.miners;
      return listed.length === 5 && listed.every((m) => m.hashrateMhs > 0) ? listed : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 250 },
  );
  t.ok(Date.now() - started < 30_000, `listed within 30 s of start (${Date.now() - started} ms)`);
  t.same(miners.map((m) => m.ip).sort(), [
    '127.253.7.1',
    '127.253.7.2',
    '127.253.7.3',
    '127.253.7.4',
    '127.253.7.5',
  ]);
  t.notMatch(output, /\b(WARN|ERROR|FATAL)\b/, 'no warning or error in the logs');

  launcher.kill('SIGINT');
  t.equal(await exited, 0, 'Ctrl+C stops the launcher and its processes');
});
