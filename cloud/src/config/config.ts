import { isIP } from 'node:net';
import { resolve } from 'node:path';
// The network feature's defaults and value checks, from its dependency-free modules (its index pulls the platform).
import {
  DEFAULT_REFRESH_MS,
  DEFAULT_SOURCE_URLS,
  DEFAULT_STATIC_FIGURES,
  SOURCE_IDS,
} from '../features/network/defaults.js';
import { type NetworkFigures, sane } from '../features/network/sanity.js';
import { ConfigError } from './errors.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The cloud's settings, validated. Each one comes from a HASHINSIGHT_* environment variable. */
export interface CloudConfig {
  httpHost: string;
  /** 0 lets the kernel pick a free port (tests). */
  httpPort: number;
  /** Where the embedded MQTT broker listens. */
  mqttHost: string;
  mqttPort: number;
  /** Absolute path of the folder holding cloud.sqlite and the generated jwt-secret. */
  dataDir: string;
  /** Email of the owner account created on first start. */
  bootstrapEmail: string;
  /** Password of that owner; when unset on first start one is generated and shown once. */
  bootstrapPassword: string | undefined;
  /** HS256 signing key; when unset one is generated and kept in dataDir/jwt-secret. */
  jwtSecret: string | undefined;
  logLevel: LogLevel;
  /** postgres://… selects PostgreSQL instead of the SQLite file in dataDir. */
  databaseUrl: string | undefined;
  /** Days telemetry history is kept per resolution; 0 keeps it forever. */
  retentionRawDays: number;
  retention5mDays: number;
  retention1hDays: number;
  retention1dDays: number;
  /** mqtt(s)://user:password@host:port of an external broker (Mosquitto): the embedded one then stays off. */
  mqttUrl: string | undefined;
  /**
   * mqtt(s)://host:port agents are told to connect to at enrollment; unset: the broker's own address (the embedded
   * listener, loopback when it listens on every interface, or MQTT_URL without its login).
   */
  agentBrokerUrl: string | undefined;
  /** redis://… shares cache, events, rate limits and notifications between instances; unset: in memory. */
  redisUrl: string | undefined;
  /** Prefix of every Redis key, channel and stream, so several installs (or tests) can share one Redis. */
  redisPrefix: string;
  /** Seconds after which a miner's latest sample no longer counts: the fleet reads show it as stale. */
  staleAfterS: number;
  /** When set, GET /metrics needs `Authorization: Bearer <token>`; when unset it answers loopback only. */
  metricsToken: string | undefined;
  /** Network-data sources to ask, comma-separated in priority order (mempool, blockchain, coingecko); '' = none. */
  networkSources: string;
  /** Seconds a fetched network state stays fresh before the sources are asked again. */
  networkRefreshS: number;
  networkMempoolUrl: string;
  networkBlockchainUrl: string;
  networkCoingeckoUrl: string;
  /** Served when no source answered and no snapshot exists (offline installs), with their as-of date. */
  networkStaticBtcPriceUsd: number;
  networkStaticDifficulty: number;
  networkStaticBlockHeight: number;
  networkStaticAvgFeesBtc: number;
  /** ISO date (or date-time) the static values are as of; answers show their age from it. */
  networkStaticAsOf: string;
  /** Portal Lite requests per minute per client (API key or customer user) and route. */
  portalRatePerMinute: number;
  /** Remote commands naming more miners than this need a second operator's approval. */
  commandApprovalMaxTargets: number;
  /** ...or more than this share (percent) of one site's miners. */
  commandApprovalMaxSitePct: number;
  /** POST /api/commands per minute per operator, and per tenant. */
  commandRatePerOperator: number;
  commandRatePerTenant: number;
  /**
   * The credential vault's master key: base64 of 32 bytes, or a keyring "1:<b64>,2:<b64>" (the highest version
   * wraps). Unset: masterKeyFile, else dataDir/master-key generated once.
   */
  masterKey: string | undefined;
  /** A file holding the master key (same format), e.g. a mounted secret. */
  masterKeyFile: string | undefined;
}

interface Setting<T> {
  env: string;
  /** Masked by printableConfig and never echoed in error messages. */
  secret?: boolean;
  /** How printableConfig shows a set secret when ******** would hide too much (a URL minus its password). */
  mask?: (value: T) => string;
  fallback: () => T;
  /** Environment text to a value; bad text gives a value `check` rejects. */
  parse: (raw: string) => T;
  /** Returns what is wrong with a value, or undefined. */
  check: (value: T) => string | undefined;
}

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const text = (raw: string): string => raw.trim();
const port = (raw: string): number => (/^\d{1,5}$/.test(raw.trim()) ? Number(raw) : Number.NaN);
const checkHost = (value: string) =>
  isIP(value) !== 0 || HOSTNAME.test(value) ? undefined : 'must be an IP address or a hostname';
const checkPort = (value: number) =>
  Number.isInteger(value) && value >= 0 && value <= 65_535
    ? undefined
    : 'must be a whole number from 0 to 65535 (0 picks a free port)';

const checkPostgresUrl = (value: string | undefined) => {
  if (value === undefined) return undefined;
  try {
    const url = new URL(value);
    if (url.protocol === 'postgres:' || url.protocol === 'postgresql:') return undefined;
  } catch {}
  return 'must be a postgres:// URL such as postgres://user@127.0.0.1:5432/hashinsight';
};

const checkRedisUrl = (value: string | undefined) => {
  if (value === undefined) return undefined;
  try {
    const url = new URL(value);
    if (url.protocol === 'redis:' || url.protocol === 'rediss:') return undefined;
  } catch {}
  return 'must be a redis:// or rediss:// URL such as redis://127.0.0.1:6379';
};

const checkMqttUrl = (value: string | undefined) => {
  if (value === undefined) return undefined;
  try {
    const url = new URL(value);
    if ((url.protocol === 'mqtt:' || url.protocol === 'mqtts:') && url.hostname !== '' && url.username !== '')
      return undefined;
  } catch {}
  return "must be an mqtt:// or mqtts:// URL with the cloud's broker login, such as mqtt://cloud:secret@127.0.0.1:1883";
};

/** The URL with its password replaced, so the broker in use stays visible. */
const maskUrlPassword = (value: string | undefined): string => {
  try {
    const url = new URL(value ?? '');
    if (url.password !== '') url.password = '****';
    return url.toString();
  } catch {
    return '********';
  }
};

const retentionDays = (env: string, days: number): Setting<number> => ({
  env,
  fallback: () => days,
  parse: (raw) => (/^\d{1,6}$/.test(raw.trim()) ? Number(raw) : Number.NaN),
  check: (value) =>
    Number.isInteger(value) && value >= 0 && value <= 36_500
      ? undefined
      : 'must be a whole number of days from 0 to 36500 (0 keeps forever)',
});

/** A whole number from `min` to `max`, e.g. a count or a percentage. */
const wholeNumber = (
  env: string,
  fallback: number,
  min: number,
  max: number,
  what: string,
): Setting<number> => ({
  env,
  fallback: () => fallback,
  parse: (raw) => (/^\d{1,9}$/.test(raw.trim()) ? Number(raw) : Number.NaN),
  check: (value) =>
    Number.isInteger(value) && value >= min && value <= max
      ? undefined
      : `must be ${what} from ${min} to ${max}`,
});

const checkSources = (value: string) =>
  value
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '')
    .every((id) => (SOURCE_IDS as readonly string[]).includes(id))
    ? undefined
    : `must be a comma-separated list of ${SOURCE_IDS.join(', ')} (or empty for none)`;

const sourceUrl = (env: string, fallback: string): Setting<string> => ({
  env,
  fallback: () => fallback,
  parse: text,
  check: (value) => {
    try {
      const url = new URL(value);
      if ((url.protocol === 'https:' || url.protocol === 'http:') && url.username === '') return undefined;
    } catch {}
    return 'must be an http(s):// base URL without credentials';
  },
});

const staticFigure = (env: string, name: keyof NetworkFigures, fallback: number): Setting<number> => ({
  env,
  fallback: () => fallback,
  parse: (raw) => (/^[0-9.eE+]+$/.test(raw.trim()) ? Number(raw) : Number.NaN),
  check: (value) => {
    try {
      sane(name, value);
      return undefined;
    } catch {
      return 'is not a believable value';
    }
  },
});

const SETTINGS: { [K in keyof CloudConfig]: Setting<CloudConfig[K]> } = {
  httpHost: { env: 'HASHINSIGHT_HTTP_HOST', fallback: () => '127.0.0.1', parse: text, check: checkHost },
  httpPort: { env: 'HASHINSIGHT_HTTP_PORT', fallback: () => 8420, parse: port, check: checkPort },
  mqttHost: { env: 'HASHINSIGHT_MQTT_HOST', fallback: () => '127.0.0.1', parse: text, check: checkHost },
  mqttPort: { env: 'HASHINSIGHT_MQTT_PORT', fallback: () => 18830, parse: port, check: checkPort },
  dataDir: {
    env: 'HASHINSIGHT_DATA_DIR',
    fallback: () => resolve('.data'),
    parse: (raw) => resolve(raw),
    check: (value) => (value.trim() === '' ? 'must be a folder path' : undefined),
  },
  bootstrapEmail: {
    env: 'HASHINSIGHT_BOOTSTRAP_EMAIL',
    fallback: () => 'admin@hashinsight.local',
    parse: (raw) => raw.trim().toLowerCase(),
    check: (value) =>
      value.length <= 254 && EMAIL.test(value)
        ? undefined
        : 'must be an email address like admin@example.com',
  },
  bootstrapPassword: {
    env: 'HASHINSIGHT_BOOTSTRAP_PASSWORD',
    secret: true,
    fallback: () => undefined,
    parse: (raw) => raw,
    check: (value) =>
      value === undefined || (value.length >= 8 && value.length <= 1024)
        ? undefined
        : 'must be 8 to 1024 characters long',
  },
  jwtSecret: {
    env: 'HASHINSIGHT_JWT_SECRET',
    secret: true,
    fallback: () => undefined,
    parse: (raw) => raw,
    // HS256 is only as strong as its key: ask for at least 256 bits of text.
    check: (value) =>
      value === undefined || value.length >= 32 ? undefined : 'must be at least 32 characters',
  },
  logLevel: {
    env: 'HASHINSIGHT_LOG_LEVEL',
    fallback: () => 'info',
    parse: (raw) => raw.trim().toLowerCase() as LogLevel,
    check: (value) => (LOG_LEVELS.includes(value) ? undefined : `must be one of ${LOG_LEVELS.join(', ')}`),
  },
  // The conventional name, as hosting platforms set it; it may carry a password, so it is masked.
  databaseUrl: {
    env: 'DATABASE_URL',
    secret: true,
    fallback: () => undefined,
    parse: text,
    check: checkPostgresUrl,
  },
  retentionRawDays: retentionDays('HASHINSIGHT_RETENTION_RAW_DAYS', 7),
  retention5mDays: retentionDays('HASHINSIGHT_RETENTION_5M_DAYS', 30),
  retention1hDays: retentionDays('HASHINSIGHT_RETENTION_1H_DAYS', 400),
  retention1dDays: retentionDays('HASHINSIGHT_RETENTION_1D_DAYS', 0),
  mqttUrl: {
    env: 'MQTT_URL',
    secret: true,
    mask: maskUrlPassword,
    fallback: () => undefined,
    parse: text,
    check: checkMqttUrl,
  },
  // Not a secret, but one set by mistake with a login must not be echoed: treated like MQTT_URL.
  agentBrokerUrl: {
    env: 'HASHINSIGHT_AGENT_BROKER_URL',
    secret: true,
    mask: maskUrlPassword,
    fallback: () => undefined,
    parse: text,
    check: (value) => {
      if (value === undefined) return undefined;
      try {
        const url = new URL(value);
        if (
          (url.protocol === 'mqtt:' || url.protocol === 'mqtts:') &&
          url.hostname !== '' &&
          url.username === '' &&
          url.password === '' &&
          ['', '/'].includes(url.pathname)
        )
          return undefined;
      } catch {}
      return 'must be an mqtt:// or mqtts:// URL without a login, such as mqtts://broker.example.com:8883';
    },
  },
  // Conventional name too; a URL may carry a password (redis://:pw@host), so it is masked.
  redisUrl: { env: 'REDIS_URL', secret: true, fallback: () => undefined, parse: text, check: checkRedisUrl },
  redisPrefix: {
    env: 'HASHINSIGHT_REDIS_PREFIX',
    fallback: () => 'hashinsight:',
    parse: text,
    check: (value) =>
      /^[A-Za-z0-9:_.-]{1,64}$/.test(value) ? undefined : 'must be 1-64 characters of A-Z a-z 0-9 : _ . -',
  },
  staleAfterS: {
    env: 'HASHINSIGHT_STALE_AFTER_S',
    fallback: () => 300,
    parse: (raw) => (/^\d{1,6}$/.test(raw.trim()) ? Number(raw) : Number.NaN),
    // Below a minute, healthy miners polled once a minute would flap between stale and not.
    check: (value) =>
      Number.isInteger(value) && value >= 60 && value <= 86_400
        ? undefined
        : 'must be a whole number of seconds from 60 to 86400',
  },
  metricsToken: {
    env: 'HASHINSIGHT_METRICS_TOKEN',
    secret: true,
    fallback: () => undefined,
    parse: (raw) => raw,
    check: (value) =>
      value === undefined || value.length >= 16 ? undefined : 'must be at least 16 characters',
  },
  // Off by default: a cloud without internet must neither hang nor log errors; it serves the static values.
  networkSources: {
    env: 'HASHINSIGHT_NETWORK_SOURCES',
    fallback: () => '',
    parse: text,
    check: checkSources,
  },
  networkRefreshS: {
    env: 'HASHINSIGHT_NETWORK_REFRESH_S',
    fallback: () => DEFAULT_REFRESH_MS / 1000,
    parse: (raw) => (/^\d{1,6}$/.test(raw.trim()) ? Number(raw) : Number.NaN),
    // CoinGecko's public API asks for at least a minute between calls.
    check: (value) =>
      Number.isInteger(value) && value >= 60 && value <= 86_400
        ? undefined
        : 'must be a whole number of seconds from 60 to 86400',
  },
  networkMempoolUrl: sourceUrl('HASHINSIGHT_NETWORK_MEMPOOL_URL', DEFAULT_SOURCE_URLS.mempool),
  networkBlockchainUrl: sourceUrl('HASHINSIGHT_NETWORK_BLOCKCHAIN_URL', DEFAULT_SOURCE_URLS.blockchain),
  networkCoingeckoUrl: sourceUrl('HASHINSIGHT_NETWORK_COINGECKO_URL', DEFAULT_SOURCE_URLS.coingecko),
  networkStaticBtcPriceUsd: staticFigure(
    'HASHINSIGHT_NETWORK_STATIC_BTC_PRICE_USD',
    'btcPriceUsd',
    DEFAULT_STATIC_FIGURES.btcPriceUsd,
  ),
  networkStaticDifficulty: staticFigure(
    'HASHINSIGHT_NETWORK_STATIC_DIFFICULTY',
    'difficulty',
    DEFAULT_STATIC_FIGURES.difficulty,
  ),
  networkStaticBlockHeight: staticFigure(
    'HASHINSIGHT_NETWORK_STATIC_BLOCK_HEIGHT',
    'blockHeight',
    DEFAULT_STATIC_FIGURES.blockHeight,
  ),
  networkStaticAvgFeesBtc: staticFigure(
    'HASHINSIGHT_NETWORK_STATIC_AVG_FEES_BTC',
    'avgFeesPerBlockBtc',
    DEFAULT_STATIC_FIGURES.avgFeesPerBlockBtc,
  ),
  networkStaticAsOf: {
    env: 'HASHINSIGHT_NETWORK_STATIC_AS_OF',
    fallback: () => new Date(DEFAULT_STATIC_FIGURES.asOfMs).toISOString().slice(0, 10),
    parse: text,
    check: (value) =>
      /^\d{4}-\d{2}-\d{2}/.test(value) && Number.isFinite(Date.parse(value))
        ? undefined
        : 'must be an ISO date such as 2025-11-28',
  },
  portalRatePerMinute: {
    env: 'HASHINSIGHT_PORTAL_RATE_PER_MINUTE',
    fallback: () => 1200,
    parse: (raw) => (/^\d{1,8}$/.test(raw.trim()) ? Number(raw) : Number.NaN),
    check: (value) =>
      Number.isInteger(value) && value >= 1 && value <= 10_000_000
        ? undefined
        : 'must be a whole number of requests per minute from 1 to 10000000',
  },
  commandApprovalMaxTargets: wholeNumber(
    'HASHINSIGHT_COMMAND_APPROVAL_MAX_TARGETS',
    50,
    0,
    10_000,
    'a count',
  ),
  commandApprovalMaxSitePct: wholeNumber(
    'HASHINSIGHT_COMMAND_APPROVAL_MAX_SITE_PCT',
    20,
    0,
    100,
    'a percentage',
  ),
  commandRatePerOperator: wholeNumber(
    'HASHINSIGHT_COMMAND_RATE_PER_OPERATOR',
    30,
    1,
    1_000_000,
    'commands per minute',
  ),
  commandRatePerTenant: wholeNumber(
    'HASHINSIGHT_COMMAND_RATE_PER_TENANT',
    300,
    1,
    1_000_000,
    'commands per minute',
  ),
  // Checked in full when the vault loads it (features/vault/master-key.ts); here only that it is not blank.
  masterKey: {
    env: 'HASHINSIGHT_MASTER_KEY',
    secret: true,
    fallback: () => undefined,
    parse: (raw) => raw.trim(),
    check: (value) => (value === undefined || value !== '' ? undefined : 'must not be blank'),
  },
  masterKeyFile: {
    env: 'HASHINSIGHT_MASTER_KEY_FILE',
    fallback: () => undefined,
    parse: (raw) => resolve(raw.trim()),
    check: () => undefined,
  },
};

const KEYS = Object.keys(SETTINGS) as (keyof CloudConfig)[];

function read<K extends keyof CloudConfig>(
  key: K,
  env: NodeJS.ProcessEnv,
  overrides: Partial<CloudConfig>,
): CloudConfig[K] {
  const setting = SETTINGS[key];
  const raw = env[setting.env];
  let value: CloudConfig[K];
  if (Object.hasOwn(overrides, key)) value = overrides[key] as CloudConfig[K];
  else if (raw === undefined || raw === '') value = setting.fallback();
  else value = setting.parse(raw);
  const problem = setting.check(value);
  if (problem !== undefined) {
    const shown = setting.secret ? '' : `, got ${JSON.stringify(String(raw ?? value).slice(0, 80))}`;
    throw new ConfigError(setting.env, `${setting.env} ${problem}${shown}`);
  }
  return value;
}

/**
 * Reads the cloud's settings from `env` (HASHINSIGHT_*), applies `overrides` (already typed values, e.g. from
 * tests) and validates the result. Throws ConfigError naming the first bad key. Pure: touches no files.
 */
export function loadCloudConfig(env: NodeJS.ProcessEnv, overrides: Partial<CloudConfig> = {}): CloudConfig {
  const config = {} as Record<keyof CloudConfig, unknown>;
  for (const key of KEYS) config[key] = read(key, env, overrides);
  return config as CloudConfig;
}

/** The effective settings with secrets masked (set ones show as ********, unset ones as null), for logs. */
export function printableConfig(config: CloudConfig): Record<keyof CloudConfig, string | number | null> {
  const printable = {} as Record<keyof CloudConfig, string | number | null>;
  for (const key of KEYS) {
    const value = config[key];
    if (value === undefined) printable[key] = null;
    else if (!SETTINGS[key].secret) printable[key] = value;
    else
      printable[key] =
        (SETTINGS[key].mask as ((value: unknown) => string) | undefined)?.(value) ?? '********';
  }
  return printable;
}
