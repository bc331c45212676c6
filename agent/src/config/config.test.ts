import t from 'tap';
import { ConfigError, expandTargets, loadAgentConfig, printableConfig } from './index.js';

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
    [{ HASHINSIGHT_AGENT_BATCH_SIZE: '9'.repeat(400) }, 'HASHINSIGHT_AGENT_BATCH_SIZE'],
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
