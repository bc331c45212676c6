// The daemon as a site runs it (`hashinsight-agent run` in its own process) with the technician's commands beside
// it: it scans the simulated miners it is configured for, polls them, answers its health endpoint, and `status`
// and `doctor` read its store and its health while it runs.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { startFleet } from '@hashinsight/simulator';
import { freePort, loopbackAllocator, startTestBroker, tempDir, waitFor } from '@hashinsight/testkit';
import t from 'tap';

const main = resolve(import.meta.dirname, '../../dist/main.js');

/**
 * Runs the command to completion without blocking this process, whose event loop serves the broker, the stand-in
 * cloud and the simulated miners the command talks to (spawnSync would freeze them).
 */
function runAsync(args: string[], env: Record<string, string>) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((done) => {
    execFile(process.execPath, [main, ...args], { env, timeout: 30_000 }, (error, stdout, stderr) => {
      done({ status: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

t.test('run, then status, doctor and the health endpoint beside it; SIGTERM stops it cleanly', async (t) => {
  const ips = loopbackAllocator.take(4);
  const fleet = await startFleet({ ips: ips.slice(0, 3), seed: 11 });
  t.teardown(() => fleet.close());
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  // A stand-in cloud that answers /healthz with its Date header, 30 s ahead of this box (a WARN, not a FAIL).
  const cloud = createServer((req, res) => {
    res.writeHead(req.url === '/healthz' ? 200 : 404, { date: new Date(Date.now() + 30_000).toUTCString() });
    res.end('{}');
  });
  await new Promise<void>((done) => cloud.listen(0, '127.0.0.1', done));
  t.teardown(() => cloud.close());

  const dir = tempDir(t);
  const healthPort = await freePort();
  const configFile = join(dir, 'agent.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      dataDir: 'state',
      cloudUrl: `http://127.0.0.1:${(cloud.address() as AddressInfo).port}`,
      mqttUrl: broker.url,
      scanTargets: [`${ips[0]}-${ips[3]}`],
      scanTimeoutMs: 1000,
      pollIntervalMs: 1000,
      healthPort,
    }),
  );
  const env = { PATH: process.env.PATH ?? '', HASHINSIGHT_LOG_LEVEL: 'warn' };
  const daemon: ChildProcess = spawn(process.execPath, [main, 'run', '--config', configFile], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  daemon.stdout?.on('data', (chunk) => (output += chunk));
  daemon.stderr?.on('data', (chunk) => (output += chunk));
  t.teardown(() => daemon.kill('SIGKILL'));

  const health = `http://127.0.0.1:${healthPort}`;
  const status = async () => {
    const body = (await (await fetch(`${health}/status`)).json()) as {
      data: Record<string, Record<string, unknown>>;
    };
    return body.data;
  };
  await waitFor(
    'three miners online and the broker connected',
    async () => {
      try {
        const data = await status();
        return data.miners?.online === 3 && data.broker?.connected ? true : undefined;
      } catch {
        return undefined; // not listening yet
      }
    },
    { timeoutMs: 30_000 },
  );
  const data = await status();
  t.match(data, {
    version: /^\d+\.\d+\.\d+$/,
    broker: { connected: true },
    miners: { online: 3, offline: 0, total: 3 },
    lastScan: { probed: 4, found: 3 },
    backlog: { samples: Number, bytes: Number, budgetBytes: 1024 ** 3, gapsPending: 0 },
    poll: { miners: 3 },
  });
  t.equal((await fetch(`${health}/healthz`)).status, 200);
  t.equal((await fetch(`${health}/status`, { method: 'POST' })).status, 405);

  const cli = (args: string[]) => runAsync([...args, '--config', configFile], env);
  const listed = await cli(['status', '--json']);
  t.equal(listed.status, 0, listed.stderr);
  const miners = JSON.parse(listed.stdout) as Array<Record<string, unknown>>;
  t.same(
    miners.map((miner) => miner.ip),
    ips.slice(0, 3),
  );
  for (const miner of miners) {
    t.match(miner, {
      state: 'online',
      model: String,
      firmware: String,
      hashrateThs: Number,
      maxTempC: Number,
    });
    t.ok((miner.hashrateThs as number) > 1, 'a simulated miner hashes some TH/s');
  }
  const table = await cli(['status']);
  t.equal(table.status, 0);
  t.match(
    table.stdout,
    /^3 miners: 3 online, 0 offline, 0 not polled yet · last scan \d+ s ago \(found 3 of 4\)\n/,
  );
  t.match(table.stdout, /IP\s+MODEL\s+FIRMWARE\s+HASHRATE\s+TEMP\s+STATE/);
  for (const ip of ips.slice(0, 3))
    t.match(table.stdout, new RegExp(`${ip.replaceAll('.', '\\.')}\\s.*TH/s.*°C\\s+online`));

  const doctor = await cli(['doctor', '--json']);
  t.equal(doctor.status, 0, doctor.stdout);
  const report = JSON.parse(doctor.stdout) as {
    ok: boolean;
    checks: Array<{ name: string; status: string; reason: string }>;
  };
  const verdict = Object.fromEntries(report.checks.map((check) => [check.name, check]));
  t.match(verdict.broker, { status: 'PASS', reason: /running daemon is connected/ });
  t.match(verdict.cloud, { status: 'PASS' });
  t.match(verdict.clock, { status: 'WARN', reason: /behind the cloud by (2[789]|30)\.\d s/ });
  t.match(verdict.disk, { status: 'PASS' });
  t.match(verdict.miners, { status: 'PASS', reason: '3 of 3 answer on their API port' });

  daemon.kill('SIGTERM');
  const [code] = await once(daemon, 'exit');
  t.equal(code, 0, output);
  await t.rejects(fetch(`${health}/healthz`), 'the health endpoint closes with the daemon');
});

t.test('doctor without a daemon: a refused broker and an unreachable miner FAIL, exit 1', async (t) => {
  const dir = tempDir(t);
  const [ip] = loopbackAllocator.take(1);
  const result = await runAsync(['doctor'], {
    PATH: process.env.PATH ?? '',
    HASHINSIGHT_DATA_DIR: dir,
    HASHINSIGHT_AGENT_MQTT_URL: `mqtt://u:hunter2@127.0.0.1:${await freePort()}`,
    HASHINSIGHT_AGENT_MINERS: ip as string,
    HASHINSIGHT_AGENT_SCAN_TIMEOUT_MS: '300',
    HASHINSIGHT_AGENT_HEALTH_PORT: '0',
  });
  t.equal(result.status, 1);
  t.match(result.stdout, /^PASS {2}config /m);
  t.match(
    result.stdout,
    /^FAIL {2}broker {2}cannot reach mqtt:\/\/\*{4}:\*{4}@127\.0\.0\.1:\d+ \(ECONNREFUSED\)$/m,
  );
  t.match(result.stdout, /^WARN {2}cloud {3}no cloud URL/m);
  t.match(
    result.stdout,
    new RegExp(`^FAIL {2}miners {2}0 of 1 answer on their API port; down: ${ip}:4028$`, 'm'),
  );
  t.match(result.stdout, /^doctor: 2 failed, 2 warnings, 2 passed$/m);
  t.notMatch(result.stdout, /hunter2/);
});

t.test('doctor logs in to a broker itself when no daemon answers', async (t) => {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  let login: { clientId: string; username: string | undefined; password: string | undefined } | undefined;
  broker.aedes.authenticate = (client, username, password, done) => {
    login = { clientId: client.id, username, password: password?.toString() };
    done(null, password?.toString() === 'right');
  };
  const run = (password: string) =>
    runAsync(['doctor', '--json'], {
      PATH: process.env.PATH ?? '',
      HASHINSIGHT_DATA_DIR: tempDir(t),
      HASHINSIGHT_AGENT_MQTT_URL: broker.url,
      HASHINSIGHT_AGENT_MQTT_USERNAME: 'agent-7',
      HASHINSIGHT_AGENT_MQTT_PASSWORD: password,
      HASHINSIGHT_AGENT_HEALTH_PORT: '0',
    });
  const good = JSON.parse((await run('right')).stdout) as {
    checks: Array<{ name: string; status: string; reason: string }>;
  };
  t.match(
    good.checks.find((check) => check.name === 'broker'),
    { status: 'PASS', reason: /connected to mqtt:\/\/127\.0\.0\.1:\d+ as agent-7/ },
  );
  t.same(
    login,
    { clientId: 'agent-7', username: 'agent-7', password: 'right' },
    'the enrolled login, as the daemon',
  );
  const bad = await run('wrong');
  t.equal(bad.status, 1);
  const badReport = JSON.parse(bad.stdout) as {
    ok: boolean;
    checks: Array<{ name: string; status: string; reason: string }>;
  };
  t.equal(badReport.ok, false);
  t.match(
    badReport.checks.find((check) => check.name === 'broker'),
    { status: 'FAIL', reason: /refused the login/ },
  );
  t.notMatch(bad.stdout, /wrong/);
});
