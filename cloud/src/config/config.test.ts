import { resolve } from 'node:path';
import t from 'tap';
import { ConfigError, loadCloudConfig, printableConfig } from './index.js';

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

t.test('defaults apply when the environment is empty', async (t) => {
  const config = loadCloudConfig({});
  t.same(config, {
    httpHost: '127.0.0.1',
    httpPort: 8420,
    mqttHost: '127.0.0.1',
    mqttPort: 18830,
    dataDir: resolve('.data'),
    bootstrapEmail: 'admin@hashinsight.local',
    bootstrapPassword: undefined,
    jwtSecret: undefined,
    logLevel: 'info',
    databaseUrl: undefined,
    retentionRawDays: 7,
    retention5mDays: 30,
    retention1hDays: 400,
    retention1dDays: 0,
    redisUrl: undefined,
    redisPrefix: 'hashinsight:',
    metricsToken: undefined,
    mqttUrl: undefined,
    agentBrokerUrl: undefined,
    staleAfterS: 300,
    networkSources: '',
    networkRefreshS: 600,
    networkMempoolUrl: 'https://mempool.space/api',
    networkBlockchainUrl: 'https://api.blockchain.info',
    networkCoingeckoUrl: 'https://api.coingecko.com/api/v3',
    networkStaticBtcPriceUsd: 91_000,
    networkStaticDifficulty: 149.3e12,
    networkStaticBlockHeight: 925_600,
    networkStaticAvgFeesBtc: 0.025,
    networkStaticAsOf: '2025-11-28',
    portalRatePerMinute: 1200,
    commandApprovalMaxTargets: 50,
    commandApprovalMaxSitePct: 20,
    commandRatePerOperator: 30,
    commandRatePerTenant: 300,
  });
});

t.test('network-data settings: sources, URLs and static values are checked', async (t) => {
  const config = loadCloudConfig({
    HASHINSIGHT_NETWORK_SOURCES: 'coingecko, mempool',
    HASHINSIGHT_NETWORK_REFRESH_S: '120',
    HASHINSIGHT_NETWORK_MEMPOOL_URL: 'http://127.0.0.1:8999/api',
    HASHINSIGHT_NETWORK_STATIC_BTC_PRICE_USD: '105000',
    HASHINSIGHT_NETWORK_STATIC_DIFFICULTY: '1.5e14',
    HASHINSIGHT_NETWORK_STATIC_AS_OF: '2026-01-15',
  });
  t.match(config, {
    networkSources: 'coingecko, mempool',
    networkRefreshS: 120,
    networkMempoolUrl: 'http://127.0.0.1:8999/api',
    networkStaticBtcPriceUsd: 105_000,
    networkStaticDifficulty: 1.5e14,
    networkStaticAsOf: '2026-01-15',
  });
  const bad: [string, string][] = [
    ['HASHINSIGHT_NETWORK_SOURCES', 'mempool,nicehash'],
    ['HASHINSIGHT_NETWORK_REFRESH_S', '5'],
    ['HASHINSIGHT_NETWORK_COINGECKO_URL', 'ftp://example.com'],
    ['HASHINSIGHT_NETWORK_BLOCKCHAIN_URL', 'https://user:pw@example.com'],
    ['HASHINSIGHT_NETWORK_STATIC_BTC_PRICE_USD', '-1'],
    ['HASHINSIGHT_NETWORK_STATIC_DIFFICULTY', '0'],
    ['HASHINSIGHT_NETWORK_STATIC_BLOCK_HEIGHT', '12.5'],
    ['HASHINSIGHT_NETWORK_STATIC_AVG_FEES_BTC', 'lots'],
    ['HASHINSIGHT_NETWORK_STATIC_AS_OF', 'yesterday'],
    ['HASHINSIGHT_PORTAL_RATE_PER_MINUTE', '0'],
    ['HASHINSIGHT_COMMAND_APPROVAL_MAX_TARGETS', '-1'],
    ['HASHINSIGHT_COMMAND_APPROVAL_MAX_SITE_PCT', '101'],
    ['HASHINSIGHT_COMMAND_RATE_PER_OPERATOR', '0'],
    ['HASHINSIGHT_COMMAND_RATE_PER_TENANT', 'many'],
  ];
  for (const [key, value] of bad)
    t.equal(configError(() => loadCloudConfig({ [key]: value })).key, key, `${key}=${value}`);
});

t.test('every setting is read from its HASHINSIGHT_* variable', async (t) => {
  const config = loadCloudConfig({
    HASHINSIGHT_HTTP_HOST: '0.0.0.0',
    HASHINSIGHT_HTTP_PORT: '9000',
    HASHINSIGHT_MQTT_HOST: 'broker.local',
    HASHINSIGHT_MQTT_PORT: '1883',
    HASHINSIGHT_DATA_DIR: '/var/lib/hashinsight',
    HASHINSIGHT_BOOTSTRAP_EMAIL: 'Ops@Example.com',
    HASHINSIGHT_BOOTSTRAP_PASSWORD: 'a long password',
    HASHINSIGHT_JWT_SECRET: 'x'.repeat(32),
    HASHINSIGHT_LOG_LEVEL: 'debug',
    DATABASE_URL: 'postgres://hi:pw@db.internal:5432/fleet',
    HASHINSIGHT_RETENTION_RAW_DAYS: '14',
    HASHINSIGHT_RETENTION_5M_DAYS: '0',
    HASHINSIGHT_RETENTION_1H_DAYS: '730',
    HASHINSIGHT_RETENTION_1D_DAYS: '3650',
    HASHINSIGHT_STALE_AFTER_S: '900',
    HASHINSIGHT_COMMAND_APPROVAL_MAX_TARGETS: '0',
    HASHINSIGHT_COMMAND_APPROVAL_MAX_SITE_PCT: '100',
    HASHINSIGHT_COMMAND_RATE_PER_OPERATOR: '5',
    HASHINSIGHT_COMMAND_RATE_PER_TENANT: '50',
  });
  t.match(config, {
    staleAfterS: 900,
    commandApprovalMaxTargets: 0,
    commandApprovalMaxSitePct: 100,
    commandRatePerOperator: 5,
    commandRatePerTenant: 50,
    retentionRawDays: 14,
    retention5mDays: 0,
    retention1hDays: 730,
    retention1dDays: 3650,
    httpHost: '0.0.0.0',
    httpPort: 9000,
    mqttHost: 'broker.local',
    mqttPort: 1883,
    dataDir: '/var/lib/hashinsight',
    bootstrapEmail: 'ops@example.com',
    bootstrapPassword: 'a long password',
    jwtSecret: 'x'.repeat(32),
    logLevel: 'debug',
    databaseUrl: 'postgres://hi:pw@db.internal:5432/fleet',
  });
});

t.test('overrides win over the environment and are validated too', async (t) => {
  t.equal(loadCloudConfig({ HASHINSIGHT_HTTP_PORT: '9000' }, { httpPort: 0 }).httpPort, 0);
  t.equal(configError(() => loadCloudConfig({}, { mqttPort: 70_000 })).key, 'HASHINSIGHT_MQTT_PORT');
});

t.test('a bad value throws a ConfigError naming the key', async (t) => {
  const cases: [Record<string, string>, string][] = [
    [{ HASHINSIGHT_HTTP_PORT: 'abc' }, 'HASHINSIGHT_HTTP_PORT'],
    [{ HASHINSIGHT_HTTP_PORT: '65536' }, 'HASHINSIGHT_HTTP_PORT'],
    [{ HASHINSIGHT_HTTP_PORT: '-1' }, 'HASHINSIGHT_HTTP_PORT'],
    [{ HASHINSIGHT_MQTT_PORT: '18830.5' }, 'HASHINSIGHT_MQTT_PORT'],
    [{ HASHINSIGHT_HTTP_HOST: 'not a host' }, 'HASHINSIGHT_HTTP_HOST'],
    [{ HASHINSIGHT_LOG_LEVEL: 'verbose' }, 'HASHINSIGHT_LOG_LEVEL'],
    [{ HASHINSIGHT_BOOTSTRAP_EMAIL: 'admin' }, 'HASHINSIGHT_BOOTSTRAP_EMAIL'],
    [{ HASHINSIGHT_BOOTSTRAP_PASSWORD: 'short' }, 'HASHINSIGHT_BOOTSTRAP_PASSWORD'],
    [{ HASHINSIGHT_JWT_SECRET: 'too-short' }, 'HASHINSIGHT_JWT_SECRET'],
    [{ DATABASE_URL: 'mysql://root@127.0.0.1/test' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL'],
    [{ REDIS_URL: 'http://127.0.0.1:6379' }, 'REDIS_URL'],
    [{ HASHINSIGHT_REDIS_PREFIX: 'has space' }, 'HASHINSIGHT_REDIS_PREFIX'],
    [{ HASHINSIGHT_METRICS_TOKEN: 'short' }, 'HASHINSIGHT_METRICS_TOKEN'],
    [{ MQTT_URL: 'http://cloud:pw@127.0.0.1:1883' }, 'MQTT_URL'],
    [{ MQTT_URL: 'mqtt://127.0.0.1:1883' }, 'MQTT_URL'],
    [{ HASHINSIGHT_RETENTION_RAW_DAYS: '-1' }, 'HASHINSIGHT_RETENTION_RAW_DAYS'],
    [{ HASHINSIGHT_RETENTION_5M_DAYS: '1.5' }, 'HASHINSIGHT_RETENTION_5M_DAYS'],
    [{ HASHINSIGHT_RETENTION_1H_DAYS: 'forever' }, 'HASHINSIGHT_RETENTION_1H_DAYS'],
    [{ HASHINSIGHT_RETENTION_1D_DAYS: '40000' }, 'HASHINSIGHT_RETENTION_1D_DAYS'],
    [{ HASHINSIGHT_STALE_AFTER_S: '0' }, 'HASHINSIGHT_STALE_AFTER_S'],
    [{ HASHINSIGHT_STALE_AFTER_S: '59' }, 'HASHINSIGHT_STALE_AFTER_S'],
    [{ HASHINSIGHT_STALE_AFTER_S: '86401' }, 'HASHINSIGHT_STALE_AFTER_S'],
    [{ HASHINSIGHT_STALE_AFTER_S: '300.5' }, 'HASHINSIGHT_STALE_AFTER_S'],
    [{ HASHINSIGHT_STALE_AFTER_S: '5m' }, 'HASHINSIGHT_STALE_AFTER_S'],
    [{ HASHINSIGHT_STALE_AFTER_S: '-300' }, 'HASHINSIGHT_STALE_AFTER_S'],
  ];
  for (const [env, key] of cases) {
    const error = configError(() => loadCloudConfig(env));
    t.equal(error.key, key, `${JSON.stringify(env)} names ${key}`);
    t.equal(error.code, 'CONFIG_INVALID');
    t.match(error.message, new RegExp(`^${key} `));
  }
});

t.test('error messages never echo a secret', async (t) => {
  const error = configError(() => loadCloudConfig({ HASHINSIGHT_JWT_SECRET: 'sekrit-value' }));
  t.notMatch(error.message, /sekrit-value/);
  const passwordError = configError(() => loadCloudConfig({ HASHINSIGHT_BOOTSTRAP_PASSWORD: 'pw123' }));
  t.notMatch(passwordError.message, /pw123/);
  const urlError = configError(() => loadCloudConfig({ DATABASE_URL: 'mysql://u:dbpass@h/x' }));
  t.notMatch(urlError.message, /dbpass/);
  const redisError = configError(() => loadCloudConfig({ REDIS_URL: 'http://:redispass@h' }));
  t.notMatch(redisError.message, /redispass/);
  const tokenError = configError(() => loadCloudConfig({ HASHINSIGHT_METRICS_TOKEN: 'tok123' }));
  t.notMatch(tokenError.message, /tok123/);
});

t.test('REDIS_URL, the Redis prefix and the metrics token are read and the secrets masked', async (t) => {
  const config = loadCloudConfig({
    REDIS_URL: 'redis://:redispass@127.0.0.1:6379/2',
    HASHINSIGHT_REDIS_PREFIX: 'site-a:',
    HASHINSIGHT_METRICS_TOKEN: 'm'.repeat(24),
  });
  t.equal(config.redisUrl, 'redis://:redispass@127.0.0.1:6379/2');
  t.equal(config.redisPrefix, 'site-a:');
  t.equal(config.metricsToken, 'm'.repeat(24));
  const printable = printableConfig(config);
  t.equal(printable.redisUrl, '********');
  t.equal(printable.metricsToken, '********');
  t.equal(printable.redisPrefix, 'site-a:');
});

t.test('printableConfig masks secrets', async (t) => {
  const config = loadCloudConfig({
    HASHINSIGHT_JWT_SECRET: 'y'.repeat(40),
    HASHINSIGHT_BOOTSTRAP_PASSWORD: 'bootstrap-password',
    DATABASE_URL: 'postgres://u:dbpass@127.0.0.1/x',
  });
  const printable = printableConfig(config);
  t.equal(printable.jwtSecret, '********');
  t.equal(printable.bootstrapPassword, '********');
  t.equal(printable.httpPort, 8420);
  t.notMatch(JSON.stringify(printable), /yyyy|bootstrap-password|dbpass/);
  t.equal(printableConfig(loadCloudConfig({})).jwtSecret, null);
});

t.test('MQTT_URL is read, checked and shown without its password', async (t) => {
  const config = loadCloudConfig({ MQTT_URL: 'mqtt://cloud:mqttpass@127.0.0.1:1883' });
  t.equal(config.mqttUrl, 'mqtt://cloud:mqttpass@127.0.0.1:1883');
  t.equal(printableConfig(config).mqttUrl, 'mqtt://cloud:****@127.0.0.1:1883');
  t.notMatch(JSON.stringify(printableConfig(config)), /mqttpass/);
  const error = configError(() => loadCloudConfig({ MQTT_URL: 'tcp://cloud:mqttpass@h' }));
  t.notMatch(error.message, /mqttpass/);
});

t.test('HASHINSIGHT_AGENT_BROKER_URL is an mqtt(s) URL without a login', async (t) => {
  const config = loadCloudConfig({ HASHINSIGHT_AGENT_BROKER_URL: 'mqtts://broker.example.com:8883' });
  t.equal(config.agentBrokerUrl, 'mqtts://broker.example.com:8883');
  t.equal(printableConfig(config).agentBrokerUrl, 'mqtts://broker.example.com:8883', 'shown as it is');
  for (const bad of [
    'http://broker:1883',
    'mqtt://agent:pw@broker:1883',
    'mqtt://broker:1883/path',
    'broker',
  ]) {
    const error = configError(() => loadCloudConfig({ HASHINSIGHT_AGENT_BROKER_URL: bad }));
    t.match(error.message, /HASHINSIGHT_AGENT_BROKER_URL/, bad);
    t.notMatch(error.message, /pw@/);
  }
});
