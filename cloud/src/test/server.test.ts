// startCloud as main.ts uses it: real ports, restarts over the same data folder.
import { createServer } from 'node:net';
import { tempDir } from '@hashinsight/testkit';
import t, { type Test } from 'tap';
import { ConfigError } from '../config/index.js';
import { startCloud } from '../server.js';
import { captureLogs, OWNER_EMAIL, startTestCloud, testConfig, tryConnect } from './helpers.js';

async function occupy(t: Test): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

t.test(
  'a taken HTTP port is a ConfigError naming HASHINSIGHT_HTTP_PORT, and nothing is left running',
  async (t) => {
    const port = await occupy(t);
    const config = testConfig(t, { httpPort: port });
    const error = await startCloud(config, { logger: captureLogs().logger }).catch((e: unknown) => e);
    t.ok(error instanceof ConfigError);
    t.equal((error as ConfigError).key, 'HASHINSIGHT_HTTP_PORT');
    t.equal(
      (error as ConfigError).message,
      `HTTP port ${port} on 127.0.0.1 is already in use: set HASHINSIGHT_HTTP_PORT to a free port`,
    );
    // The failed start released its database and broker: a new start on the same folder works.
    const { cloud } = await startTestCloud(t, { dataDir: config.dataDir });
    t.ok(cloud.httpPort > 0);
  },
);

t.test('a taken MQTT port is a ConfigError naming HASHINSIGHT_MQTT_PORT', async (t) => {
  const port = await occupy(t);
  const error = await startCloud(testConfig(t, { mqttPort: port }), { logger: captureLogs().logger }).catch(
    (e: unknown) => e,
  );
  t.ok(error instanceof ConfigError);
  t.equal((error as ConfigError).key, 'HASHINSIGHT_MQTT_PORT');
  t.match((error as ConfigError).message, /^MQTT port \d+ on 127\.0\.0\.1 is already in use/);
});

t.test('first start generates the owner password once; the JWT secret survives a restart', async (t) => {
  const dataDir = tempDir(t);
  const overrides = { dataDir, bootstrapPassword: undefined, jwtSecret: undefined };
  const first = await startCloud(testConfig(t, overrides), { logger: captureLogs().logger });
  const password = first.bootstrapPassword;
  t.type(password, 'string');
  t.ok((password ?? '').length >= 20);
  t.match(first.httpUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
  const health = await fetch(`${first.httpUrl}/healthz`);
  t.equal(health.status, 200);
  const login = await fetch(`${first.httpUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: OWNER_EMAIL, password }),
  });
  t.equal(login.status, 200);
  const { data } = (await login.json()) as { data: { accessToken: string } };
  const token = data.accessToken;
  await first.close();
  await first.close(); // idempotent

  const second = await startCloud(testConfig(t, overrides), { logger: captureLogs().logger });
  t.teardown(() => second.close());
  t.equal(second.bootstrapPassword, undefined, 'shown only on the start that created it');
  const miners = await fetch(`${second.httpUrl}/api/miners`, {
    headers: { authorization: `Bearer ${token}` },
  });
  t.equal(miners.status, 200, 'a token from before the restart is still valid');
});

t.test('the broker authenticates agents on any address, so it no longer warns about it', async (t) => {
  const { cloud, logs } = await startTestCloud(t, { mqttHost: '0.0.0.0' });
  t.notMatch(logs.text(), /any client that can reach it/);
  t.equal(await tryConnect(cloud.mqttPort, 'agent-1'), 'refused', 'an agent that never enrolled');
  t.ok(
    logs.entries().some((entry) => /listening/i.test(String(entry.msg))),
    'startup was logged to the same capture',
  );
});
