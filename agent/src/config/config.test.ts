import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@hashinsight/testkit';
import t from 'tap';
import { ConfigError, expandTargets, loadAgentConfig, printableConfig, SETTINGS } from './index.js';

t.test('targets expand from addresses, ranges and CIDRs without duplicates', async (t) => {
  t.same(expandTargets('127.1.0.1, 127.1.0.3-127.1.0.4,127.1.0.1'), ['127.1.0.1', '127.1.0.3', '127.1.0.4']);
  t.same(expandTargets('10.0.0.0/30'), ['10.0.0.1', '10.0.0.2'], 'network and broadcast skipped');
  t.same(expandTargets('10.0.0.7/32'), ['10.0.0.7']);
  t.equal(expandTargets('127.1.0.0/16').length, 65_534);
  t.same(expandTargets(''), []);
});

t.test('bad target lists are refused with the entry named', async (t) => {
  for (const [spec, pattern] of [
    ['127.1.0.300', /127\.1\.0\.300/],
    ['127.1.0.9-127.1.0.1', /ends before it starts/],
    ['10.0.0.0/33', /10\.0\.0\.0\/33/],
    ['miner.local', /miner\.local/],
    ['10.0.0.0/8', /more than 65536/],
    ['; rm -rf /', /rm -rf/],
    ['10.0.0.1-10.0.0.3-junk', /junk/],
    ['10.0.0.0/30/x', /\/x/],
  ] as const) {
    t.throws(() => expandTargets(spec), pattern, spec);
  }
});

t.test('config has working defaults and names the bad key', async (t) => {
  const config = loadAgentConfig({}, '/srv/site');
  t.equal(config.dataDir, '/srv/site/.data/agent');
  t.equal(config.mqttUrl, 'mqtt://127.0.0.1:18830');
  t.equal(config.pollIntervalMs, 60_000);
  t.same(config.miners, []);
  t.equal(config.agentId, undefined);

  const bad: Array<[Record<string, string>, string]> = [
    [{ HASHINSIGHT_AGENT_POLL_INTERVAL_MS: 'soon' }, 'HASHINSIGHT_AGENT_POLL_INTERVAL_MS'],
    [{ HASHINSIGHT_AGENT_POLL_INTERVAL_MS: '10' }, 'HASHINSIGHT_AGENT_POLL_INTERVAL_MS'],
    [{ HASHINSIGHT_AGENT_MINER_PORT: '70000' }, 'HASHINSIGHT_AGENT_MINER_PORT'],
    [{ HASHINSIGHT_AGENT_MINER_PORT: '-1' }, 'HASHINSIGHT_AGENT_MINER_PORT'],
    [{ HASHINSIGHT_AGENT_ID: 'site/1' }, 'HASHINSIGHT_AGENT_ID'],
    [{ HASHINSIGHT_AGENT_ID: '+' }, 'HASHINSIGHT_AGENT_ID'],
    [{ HASHINSIGHT_AGENT_MQTT_URL: 'http://cloud' }, 'HASHINSIGHT_AGENT_MQTT_URL'],
    [{ HASHINSIGHT_AGENT_MQTT_URL: 'mqtt://[' }, 'HASHINSIGHT_AGENT_MQTT_URL'],
    [{ HASHINSIGHT_AGENT_MQTT_URL: 'mqtt://cloud:1883/some/path' }, 'HASHINSIGHT_AGENT_MQTT_URL'],
    [{ HASHINSIGHT_AGENT_MINERS: '1.2.3' }, 'HASHINSIGHT_AGENT_MINERS'],
    [{ HASHINSIGHT_LOG_LEVEL: 'chatty' }, 'HASHINSIGHT_LOG_LEVEL'],
    [{ HASHINSIGHT_AGENT_POLL_CONCURRENCY: '9'.repeat(400) }, 'HASHINSIGHT_AGENT_POLL_CONCURRENCY'],
  ];
  for (const [env, key] of bad) {
    t.throws(() => loadAgentConfig(env), { name: 'ConfigError', message: new RegExp(key) }, key);
  }
});

t.test('a bad broker URL is refused without repeating its password', async (t) => {
  const error = (() => {
    try {
      loadAgentConfig({ HASHINSIGHT_AGENT_MQTT_URL: 'mqtt://site:s3cret@[::1' });
    } catch (e) {
      return e as Error;
    }
    return undefined;
  })();
  t.ok(error instanceof ConfigError);
  t.notMatch(error?.message, /s3cret/);
  t.equal(
    loadAgentConfig({ HASHINSIGHT_AGENT_MQTT_URL: 'mqtts://u:p@[::1]:8883' }).mqttUrl,
    'mqtts://u:p@[::1]:8883',
  );
});

t.test('the broker login from enrollment: user name is the agent id, password masked', async (t) => {
  const config = loadAgentConfig({
    HASHINSIGHT_AGENT_MQTT_USERNAME: 'agent-7',
    HASHINSIGHT_AGENT_MQTT_PASSWORD: 'enrolled-secret',
  });
  t.equal(config.agentId, 'agent-7', 'the user name names the agent when no id is set');
  t.equal(config.mqttPassword, 'enrolled-secret');
  const printed = JSON.stringify(printableConfig(config));
  t.notMatch(printed, /enrolled-secret/);
  t.match(printed, /"mqttPassword":"\*\*\*\*"/);
  for (const env of [
    {
      HASHINSIGHT_AGENT_ID: 'agent-8',
      HASHINSIGHT_AGENT_MQTT_USERNAME: 'agent-7',
      HASHINSIGHT_AGENT_MQTT_PASSWORD: 'x',
    },
    { HASHINSIGHT_AGENT_MQTT_USERNAME: 'agent-7' },
    { HASHINSIGHT_AGENT_MQTT_PASSWORD: 'enrolled-secret' },
  ]) {
    t.throws(() => loadAgentConfig(env), ConfigError, JSON.stringify(Object.keys(env)));
  }
  t.equal(loadAgentConfig({}).mqttPassword, undefined);
});

t.test(
  'every setting has a default, including the ones scan, poll, outbox, commands and health read',
  async (t) => {
    const config = loadAgentConfig({}, '/srv/site');
    t.same(config.scanTargets, []);
    t.same(config.scanExclude, []);
    t.equal(config.rescanCron, '0 * * * *');
    t.equal(config.scanConcurrency, 256);
    t.equal(config.scanTimeoutMs, 2000);
    t.equal(config.pollJitterPct, 10);
    t.equal(config.backoffMaxMs, 600_000);
    t.equal(config.offlineAfterFailures, 3);
    t.equal(config.outboxMaxBytes, 1024 ** 3);
    t.equal(config.uploadMaxBytesPerSecond, 0);
    t.equal(config.commandConcurrency, 4);
    t.equal(config.healthPort, 8421);
    t.equal(config.cloudUrl, undefined);
    t.same(Object.keys(SETTINGS).sort(), Object.keys(config).sort(), 'one env variable per setting');
  },
);

t.test('a config file sets any key, env overrides it, relative paths are read from the file', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'agent.json');
  writeFileSync(
    file,
    JSON.stringify({
      dataDir: 'state',
      scanTargets: ['127.1.0.0/24', '127.2.0.1-127.2.0.9'],
      scanExclude: '127.1.0.1, 127.1.0.2',
      rescanCron: '*/15 * * * *',
      pollIntervalMs: 10_000,
      pollConcurrency: '32',
      healthPort: 0,
      cloudUrl: 'https://cloud.example.test',
    }),
  );
  const config = loadAgentConfig(
    { HASHINSIGHT_AGENT_POLL_INTERVAL_MS: '20000' },
    { cwd: '/', configFile: file },
  );
  t.equal(config.dataDir, join(dir, 'state'));
  t.same(config.scanTargets, ['127.1.0.0/24', '127.2.0.1-127.2.0.9']);
  t.same(config.scanExclude, ['127.1.0.1', '127.1.0.2']);
  t.equal(config.rescanCron, '*/15 * * * *');
  t.equal(config.pollIntervalMs, 20_000, 'env beats the file');
  t.equal(config.pollConcurrency, 32);
  t.equal(config.healthPort, 0);
  t.equal(config.cloudUrl, 'https://cloud.example.test');
  const viaEnv = loadAgentConfig({ HASHINSIGHT_AGENT_CONFIG: file }, { cwd: '/' });
  t.equal(viaEnv.pollIntervalMs, 10_000, 'HASHINSIGHT_AGENT_CONFIG names the file when --config does not');
});

t.test('bad values in the file are refused naming the key and the file', async (t) => {
  const dir = tempDir(t);
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ pollIntervalMs: 1.5 }, /pollIntervalMs in .*agent\.json must be a whole number/],
    [{ pollIntervalMs: true }, /pollIntervalMs in .*agent\.json/],
    [{ healthPort: -1 }, /healthPort in/],
    [{ scanTargets: [1, 2] }, /scanTargets in .*array of strings/],
    [{ scanTargets: ['127.1.0.300'] }, /scanTargets in .*127\.1\.0\.300/],
    [{ rescanCron: 'every hour' }, /rescanCron in .*cron expression/],
    [{ mqttUrl: 'http://x:s3cret@cloud' }, /mqttUrl in .*mqtt:\/\/host/],
    [{ cloudUrl: 'ftp://cloud' }, /cloudUrl in/],
    [{ cloudUrl: 'https://ops:s3cret@cloud' }, /cloudUrl in .*without a login/],
    [{ agentId: 7 }, /agentId in .*must be a string/],
    [{ logLevel: 'chatty' }, /logLevel in/],
    [{ pollIntervallMs: 10_000 }, /unknown setting "pollIntervallMs"/],
    [JSON.parse('{"__proto__": {"healthPort": 1}}'), /unknown setting "__proto__"/],
    [{ constructor: 1 }, /unknown setting "constructor"/],
  ];
  for (const [values, pattern] of cases) {
    const file = join(dir, 'agent.json');
    writeFileSync(file, JSON.stringify(values));
    const error = catchError(() => loadAgentConfig({}, { configFile: file }));
    t.ok(error instanceof ConfigError, JSON.stringify(values));
    t.match(error?.message, pattern);
    t.notMatch(error?.message, /s3cret/);
  }
});

t.test('a missing, malformed, huge or special config file is refused with the file named', async (t) => {
  const dir = tempDir(t);
  const write = (name: string, content: string | Buffer) => {
    writeFileSync(join(dir, name), content);
    return join(dir, name);
  };
  const cases: Array<[string, RegExp]> = [
    [join(dir, 'absent.json'), /absent\.json does not exist/],
    [write('broken.json', '{"pollIntervalMs": 10'), /broken\.json is not valid JSON/],
    [write('array.json', '[1,2]'), /array\.json must hold one JSON object/],
    [write('null.json', 'null'), /null\.json must hold one JSON object/],
    [write('binary.json', randomBytes(512)), /binary\.json is not valid JSON/],
    [write('huge.json', `{"agentId": "${'a'.repeat(70_000)}"}`), /huge\.json is larger than 65536 bytes/],
    [write('deep.json', `${'['.repeat(30_000)}${']'.repeat(30_000)}`), /deep\.json (must hold|is not valid)/],
    [dir, /is not a regular file/],
    ['/dev/zero', /is not a regular file/],
  ];
  for (const [file, pattern] of cases) {
    const error = catchError(() => loadAgentConfig({}, { configFile: file }));
    t.ok(error instanceof ConfigError, file);
    t.match(error?.message, /^config file /);
    t.match(error?.message, pattern);
  }
  const secret = write('secret.json', '{"mqttPassword": "s3cret-pass" oops}');
  t.notMatch(
    catchError(() => loadAgentConfig({}, { configFile: secret }))?.message,
    /s3cret/,
    'content never echoed',
  );
});

t.test(
  'the identity enrollment wrote supplies agent id, broker login and cloud URL; env and file win',
  async (t) => {
    const dir = tempDir(t);
    writeFileSync(
      join(dir, 'identity.json'),
      JSON.stringify({
        agentId: 'agent-9',
        siteId: 'site-1',
        cloudUrl: 'https://cloud.example.test',
        mqtt: { url: 'mqtts://broker.example.test:8883', username: 'agent-9', password: 'enrolled-secret' },
      }),
      { mode: 0o600 },
    );
    const config = loadAgentConfig({ HASHINSIGHT_DATA_DIR: dir });
    t.equal(config.agentId, 'agent-9');
    t.equal(config.mqttUsername, 'agent-9');
    t.equal(config.mqttPassword, 'enrolled-secret');
    t.equal(config.mqttUrl, 'mqtts://broker.example.test:8883');
    t.equal(config.cloudUrl, 'https://cloud.example.test');
    t.notMatch(JSON.stringify(printableConfig(config)), /enrolled-secret/);
    const local = loadAgentConfig({
      HASHINSIGHT_DATA_DIR: dir,
      HASHINSIGHT_AGENT_MQTT_URL: 'mqtt://127.0.0.1:1883',
    });
    t.equal(local.mqttUrl, 'mqtt://127.0.0.1:1883', 'env beats the identity');
    t.throws(
      () => loadAgentConfig({ HASHINSIGHT_DATA_DIR: dir, HASHINSIGHT_AGENT_ID: 'agent-1' }),
      /mqtt\.username in .*identity\.json must equal HASHINSIGHT_AGENT_ID/,
      'another id beside the enrolled login is refused',
    );
    writeFileSync(join(dir, 'identity.json'), '{"agentId": ');
    t.throws(
      () => loadAgentConfig({ HASHINSIGHT_DATA_DIR: dir }),
      /identity file .*identity\.json is not valid JSON/,
    );
  },
);

t.test('print-config masks every credential', async (t) => {
  const printed = JSON.stringify(
    printableConfig(
      loadAgentConfig({
        HASHINSIGHT_AGENT_CLOUD_URL: 'https://cloud.example.test',
        HASHINSIGHT_AGENT_MQTT_URL: 'mqtt://u:url-pass@127.0.0.1:1883',
        HASHINSIGHT_AGENT_MQTT_USERNAME: 'agent-7',
        HASHINSIGHT_AGENT_MQTT_PASSWORD: 'login-pass',
      }),
    ),
  );
  t.notMatch(printed, /url-pass|login-pass/);
  t.match(printed, /"cloudUrl":"https:\/\/cloud\.example\.test\/"/);
  t.match(printed, /"agentId":"agent-7"/);
});

function catchError(fn: () => unknown): Error | undefined {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  return undefined;
}

t.test('scan exclusions may be any size; what is left of the targets at most a /16', async (t) => {
  const config = loadAgentConfig({
    HASHINSIGHT_AGENT_SCAN_TARGETS: '10.0.0.0/15',
    HASHINSIGHT_AGENT_SCAN_EXCLUDE: '10.0.0.0/16, 192.168.0.0/8',
  });
  t.same(config.scanTargets, ['10.0.0.0/15']);
  t.same(config.scanExclude, ['10.0.0.0/16', '192.168.0.0/8']);
  t.throws(
    () => loadAgentConfig({ HASHINSIGHT_AGENT_SCAN_TARGETS: '10.0.0.0/15' }),
    /HASHINSIGHT_AGENT_SCAN_TARGETS: targets expand to more than 65536/,
  );
  t.throws(
    () => loadAgentConfig({ HASHINSIGHT_AGENT_SCAN_EXCLUDE: '10.0.0.0/33' }),
    /HASHINSIGHT_AGENT_SCAN_EXCLUDE: .*10\.0\.0\.0\/33/,
  );
});
