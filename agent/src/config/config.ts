import { dirname, join, resolve } from 'node:path';
import { isValidAgentId } from '@hashinsight/protocol';
import cron from 'node-cron';
import { readJsonObject } from './json-file.js';
import { expandTargets, parseTargets } from './targets.js';

/**
 * The agent's settings, validated. Each comes, strongest first, from its HASHINSIGHT_* environment variable,
 * the JSON config file (`--config <file>` or HASHINSIGHT_AGENT_CONFIG), the identity enrollment wrote
 * (`<dataDir>/identity.json`: agent id, broker URL and login, cloud URL), else its default.
 */
export interface AgentConfig {
  /** Agent identity; when unset, one is generated once and kept in the store. */
  agentId: string | undefined;
  /** Folder of the agent's SQLite store and its identity. */
  dataDir: string;
  /** The cloud's HTTP base URL (enrollment, `doctor`); none until enrolled or set. */
  cloudUrl: string | undefined;
  /** Broker the agent syncs through, e.g. mqtt://127.0.0.1:18830. */
  mqttUrl: string;
  /** Broker login from enrollment: the user name is the agent id. */
  mqttUsername: string | undefined;
  /** Secret: masked by printableConfig, never logged. */
  mqttPassword: string | undefined;
  /** Miners always polled, whether or not a scan found them. */
  miners: string[];
  /** cgminer API port of the miners. */
  minerPort: number;
  /** What scheduled rescans probe: IPs, ranges a-b and CIDRs, as written. */
  scanTargets: string[];
  /** Addresses scans never probe, same forms. */
  scanExclude: string[];
  /** node-cron expression of scheduled rescans; 'off' disables them. */
  rescanCron: string;
  /** Probes in flight at once during a scan. */
  scanConcurrency: number;
  /** Deadline of one probe (connect + identify). */
  scanTimeoutMs: number;
  pollIntervalMs: number;
  /** Each miner's poll is spread over ± this share of the interval, so a fleet is not read in one burst. */
  pollJitterPct: number;
  /** Polls in flight at once. */
  pollConcurrency: number;
  /** Deadline of one request to one miner. */
  pollTimeoutMs: number;
  /** Longest wait between polls of a miner that stays unreachable (backoff doubles up to it). */
  backoffMaxMs: number;
  /** Failed polls in a row before a miner counts as offline. */
  offlineAfterFailures: number;
  /** Disk budget of the outbox; when full the oldest whole batches go, reported as a gap. */
  outboxMaxBytes: number;
  /** Upload cap toward the broker; 0 = unlimited. */
  uploadMaxBytesPerSecond: number;
  /** Commands executing at once across the site. */
  commandConcurrency: number;
  /** Web port of the miners (CGI, token APIs) for commands and logins. */
  minerWebPort: number;
  /** How long the agent watches a miner for a command's effect when the command names no timeout. */
  effectTimeoutS: number;
  /** Time between two reads of a miner while its command's effect is awaited. */
  effectPollMs: number;
  /** Port of the read-only health endpoint on 127.0.0.1; 0 disables it. */
  healthPort: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

/** Every setting by its config-file key, with its environment variable: the one list of names. */
export const SETTINGS = {
  agentId: 'HASHINSIGHT_AGENT_ID',
  dataDir: 'HASHINSIGHT_DATA_DIR',
  cloudUrl: 'HASHINSIGHT_AGENT_CLOUD_URL',
  mqttUrl: 'HASHINSIGHT_AGENT_MQTT_URL',
  mqttUsername: 'HASHINSIGHT_AGENT_MQTT_USERNAME',
  mqttPassword: 'HASHINSIGHT_AGENT_MQTT_PASSWORD',
  miners: 'HASHINSIGHT_AGENT_MINERS',
  minerPort: 'HASHINSIGHT_AGENT_MINER_PORT',
  scanTargets: 'HASHINSIGHT_AGENT_SCAN_TARGETS',
  scanExclude: 'HASHINSIGHT_AGENT_SCAN_EXCLUDE',
  rescanCron: 'HASHINSIGHT_AGENT_RESCAN_CRON',
  scanConcurrency: 'HASHINSIGHT_AGENT_SCAN_CONCURRENCY',
  scanTimeoutMs: 'HASHINSIGHT_AGENT_SCAN_TIMEOUT_MS',
  pollIntervalMs: 'HASHINSIGHT_AGENT_POLL_INTERVAL_MS',
  pollJitterPct: 'HASHINSIGHT_AGENT_POLL_JITTER_PCT',
  pollConcurrency: 'HASHINSIGHT_AGENT_POLL_CONCURRENCY',
  pollTimeoutMs: 'HASHINSIGHT_AGENT_POLL_TIMEOUT_MS',
  backoffMaxMs: 'HASHINSIGHT_AGENT_BACKOFF_MAX_MS',
  offlineAfterFailures: 'HASHINSIGHT_AGENT_OFFLINE_AFTER_FAILURES',
  outboxMaxBytes: 'HASHINSIGHT_AGENT_OUTBOX_MAX_BYTES',
  uploadMaxBytesPerSecond: 'HASHINSIGHT_AGENT_UPLOAD_MAX_BYTES_PER_SECOND',
  commandConcurrency: 'HASHINSIGHT_AGENT_COMMAND_CONCURRENCY',
  minerWebPort: 'HASHINSIGHT_AGENT_MINER_WEB_PORT',
  effectTimeoutS: 'HASHINSIGHT_AGENT_EFFECT_TIMEOUT_S',
  effectPollMs: 'HASHINSIGHT_AGENT_EFFECT_POLL_MS',
  healthPort: 'HASHINSIGHT_AGENT_HEALTH_PORT',
  logLevel: 'HASHINSIGHT_LOG_LEVEL',
} as const satisfies Record<keyof AgentConfig, string>;

/** Environment variable naming the config file when `--config` is not given. */
export const CONFIG_FILE_ENV = 'HASHINSIGHT_AGENT_CONFIG';
/** Largest config or identity file read: settings, not data. */
export const CONFIG_FILE_MAX_BYTES = 64 * 1024;
/** Where enrollment leaves the agent's identity, inside the data dir. */
export const IDENTITY_FILE = 'identity.json';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'CONFIG_INVALID';
}

type Key = keyof AgentConfig;
/** A value as found, with the name it is reported under: the env variable, or the key and its file. */
interface Found {
  value: unknown;
  name: string;
  /** Folder relative paths in this value are read from. */
  base: string;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const shown = (value: unknown) => JSON.stringify(String(value).slice(0, 40));

export interface LoadOptions {
  /** Folder relative paths from the environment are read from. */
  cwd?: string;
  /** The config file (`--config`); else HASHINSIGHT_AGENT_CONFIG; else none. */
  configFile?: string;
}

/** Reads and validates the agent's settings; throws ConfigError naming the bad key. */
export function loadAgentConfig(
  env: NodeJS.ProcessEnv,
  cwdOrOptions: string | LoadOptions = {},
): AgentConfig {
  const options = typeof cwdOrOptions === 'string' ? { cwd: cwdOrOptions } : cwdOrOptions;
  const cwd = options.cwd ?? process.cwd();
  const configPath = options.configFile || env[CONFIG_FILE_ENV] || undefined;
  const file = configPath === undefined ? undefined : readConfigFile(resolve(cwd, configPath));

  const fromEnvOrFile = (key: Key): Found | undefined => {
    const raw = env[SETTINGS[key]];
    if (raw !== undefined && raw !== '') return { value: raw, name: SETTINGS[key], base: cwd };
    const value = file?.values[key];
    if (value !== undefined && value !== null)
      return { value, name: `${key} in ${file?.path}`, base: file!.dir };
    return undefined;
  };
  const dataDirFound = fromEnvOrFile('dataDir');
  const dataDir = dataDirFound
    ? resolve(dataDirFound.base, text(dataDirFound))
    : resolve(cwd, join('.data', 'agent'));
  const identity = readIdentity(join(dataDir, IDENTITY_FILE));
  const lookup = (key: Key): Found | undefined => fromEnvOrFile(key) ?? identity?.[key];

  const optionalText = (key: Key) => {
    const found = lookup(key);
    return found === undefined ? undefined : text(found);
  };
  const mqttUsername = optionalText('mqttUsername');
  const mqttPassword = optionalText('mqttPassword');
  // The cloud's broker admits a client only when its client id, user name and agent id are one and the same.
  const agentId = optionalText('agentId') ?? mqttUsername;
  if (agentId !== undefined && !isValidAgentId(agentId)) {
    throw new ConfigError(
      `${nameOf(lookup('agentId'), 'agentId')} must be 1-64 characters of A-Z, a-z, 0-9, _ and -`,
    );
  }
  if (mqttUsername !== undefined && mqttUsername !== agentId) {
    throw new ConfigError(
      `${nameOf(lookup('mqttUsername'), 'mqttUsername')} must equal ${SETTINGS.agentId} (the enrolled agent id)`,
    );
  }
  if ((mqttUsername === undefined) !== (mqttPassword === undefined)) {
    throw new ConfigError(
      `${SETTINGS.mqttUsername} and ${SETTINGS.mqttPassword} are set together (from enrollment)`,
    );
  }
  const int = (key: Key, fallback: number, min: number, max: number) =>
    integer(lookup(key), fallback, min, max);
  const logLevel = (optionalText('logLevel') ?? 'info') as AgentConfig['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(
      `${nameOf(lookup('logLevel'), 'logLevel')} must be one of ${LOG_LEVELS.join(', ')}`,
    );
  }
  return {
    agentId,
    dataDir,
    cloudUrl: optionalUrl(
      lookup('cloudUrl'),
      ['http:', 'https:'],
      'http(s)://host[:port] without a login',
      false,
    ),
    mqttUrl:
      optionalUrl(lookup('mqttUrl'), ['mqtt:', 'mqtts:'], 'mqtt://host:port or mqtts://host:port') ??
      'mqtt://127.0.0.1:18830',
    mqttUsername,
    mqttPassword,
    miners: minerList(lookup('miners')),
    minerPort: int('minerPort', 4028, 1, 65_535),
    ...scanLists(lookup('scanTargets'), lookup('scanExclude')),
    rescanCron: cronExpression(lookup('rescanCron')),
    scanConcurrency: int('scanConcurrency', 256, 1, 4096),
    scanTimeoutMs: int('scanTimeoutMs', 2000, 100, 60_000),
    pollIntervalMs: int('pollIntervalMs', 60_000, 1000, 86_400_000),
    pollJitterPct: int('pollJitterPct', 10, 0, 50),
    pollConcurrency: int('pollConcurrency', 64, 1, 4096),
    pollTimeoutMs: int('pollTimeoutMs', 5000, 100, 60_000),
    backoffMaxMs: int('backoffMaxMs', 600_000, 1000, 86_400_000),
    offlineAfterFailures: int('offlineAfterFailures', 3, 1, 100),
    outboxMaxBytes: int('outboxMaxBytes', 1024 ** 3, 1024 ** 2, 1024 ** 4),
    uploadMaxBytesPerSecond: int('uploadMaxBytesPerSecond', 0, 0, 1024 ** 3),
    commandConcurrency: int('commandConcurrency', 4, 1, 256),
    minerWebPort: int('minerWebPort', 80, 1, 65_535),
    effectTimeoutS: int('effectTimeoutS', 900, 1, 86_400),
    effectPollMs: int('effectPollMs', 5000, 50, 600_000),
    healthPort: int('healthPort', 8421, 0, 65_535),
    logLevel,
  };
}

const nameOf = (found: Found | undefined, key: Key) => found?.name ?? SETTINGS[key];

function text(found: Found): string {
  if (typeof found.value !== 'string') throw new ConfigError(`${found.name} must be a string`);
  return found.value;
}

function integer(found: Found | undefined, fallback: number, min: number, max: number): number {
  if (found === undefined) return fallback;
  const raw = found.value;
  const value =
    typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(`${found.name} must be a whole number from ${min} to ${max}, got ${shown(raw)}`);
  }
  return value;
}

/**
 * A URL of one of `protocols` without a path (and without a login unless allowed: the cloud's HTTP API takes
 * tokens, and fetch refuses URLs that carry one); the error never repeats the value, which may hold a password.
 */
function optionalUrl(
  found: Found | undefined,
  protocols: string[],
  shape: string,
  loginAllowed = true,
): string | undefined {
  if (found === undefined) return undefined;
  const raw = text(found);
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    // reported below
  }
  const ok =
    url &&
    protocols.includes(url.protocol) &&
    url.hostname !== '' &&
    ['', '/'].includes(url.pathname) &&
    (loginAllowed || (url.username === '' && url.password === ''));
  if (!ok) throw new ConfigError(`${found.name} must look like ${shape}`);
  return raw;
}

/** A target list: a comma-separated string or an array of strings, as its entries. */
function entries(found: Found | undefined): string[] {
  if (found === undefined) return [];
  const { value } = found;
  const isList = Array.isArray(value) && value.every((entry) => typeof entry === 'string');
  if (typeof value !== 'string' && !isList) {
    throw new ConfigError(`${found.name} must be a comma-separated string or an array of strings`);
  }
  return (isList ? (value as string[]) : (value as string).split(','))
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

/** Miners always polled, as addresses. */
function minerList(found: Found | undefined): string[] {
  try {
    return expandTargets(entries(found).join(','));
  } catch (error) {
    throw new ConfigError(`${found?.name}: ${(error as Error).message}`);
  }
}

/** Scan targets and exclusions as written; exclusions may be any size, what is left at most a /16. */
function scanLists(targets: Found | undefined, exclude: Found | undefined) {
  const scanExclude = entries(exclude);
  try {
    parseTargets([], scanExclude);
  } catch (error) {
    throw new ConfigError(`${exclude?.name}: ${(error as Error).message}`);
  }
  const scanTargets = entries(targets);
  try {
    parseTargets(scanTargets, scanExclude);
  } catch (error) {
    throw new ConfigError(`${targets?.name}: ${(error as Error).message}`);
  }
  return { scanTargets, scanExclude };
}

function cronExpression(found: Found | undefined): string {
  if (found === undefined) return '0 * * * *';
  const value = text(found).trim();
  if (value === 'off' || cron.validate(value)) return value;
  throw new ConfigError(
    `${found.name} must be a cron expression like "0 * * * *" or "off", got ${shown(value)}`,
  );
}

function readConfigFile(path: string): { path: string; dir: string; values: Record<string, unknown> } {
  let values: Record<string, unknown> | undefined;
  try {
    values = readJsonObject(path, CONFIG_FILE_MAX_BYTES);
  } catch (error) {
    throw new ConfigError(`config file ${(error as Error).message}`);
  }
  if (values === undefined) throw new ConfigError(`config file ${path} does not exist`);
  for (const key of Object.keys(values)) {
    if (!Object.hasOwn(SETTINGS, key)) {
      throw new ConfigError(
        `unknown setting ${shown(key)} in ${path} (known: ${Object.keys(SETTINGS).join(', ')})`,
      );
    }
  }
  return { path, dir: dirname(path), values };
}

/**
 * The settings enrollment wrote: agent id, broker login and URL, cloud URL. Absent before enrollment; a file that
 * is present but unreadable is an error, since running under a different identity would be worse.
 */
function readIdentity(path: string): Partial<Record<Key, Found>> | undefined {
  let identity: Record<string, unknown> | undefined;
  try {
    identity = readJsonObject(path, CONFIG_FILE_MAX_BYTES);
  } catch (error) {
    throw new ConfigError(`identity file ${(error as Error).message}`);
  }
  if (identity === undefined) return undefined;
  const mqtt = (typeof identity.mqtt === 'object' && identity.mqtt !== null ? identity.mqtt : {}) as Record<
    string,
    unknown
  >;
  const found: Partial<Record<Key, Found>> = {};
  const take = (key: Key, value: unknown, field: string) => {
    if (value !== undefined && value !== null)
      found[key] = { value, name: `${field} in ${path}`, base: dirname(path) };
  };
  take('agentId', identity.agentId, 'agentId');
  take('cloudUrl', identity.cloudUrl, 'cloudUrl');
  take('mqttUrl', mqtt.url, 'mqtt.url');
  take('mqttUsername', mqtt.username, 'mqtt.username');
  take('mqttPassword', mqtt.password, 'mqtt.password');
  return found;
}

/** Masks the user and password of a URL. */
function maskUrl(raw: string): string {
  const url = new URL(raw);
  if (url.username) url.username = '****';
  if (url.password) url.password = '****';
  return url.toString();
}

/** The settings as `print-config` shows them: credentials masked, miner list summarised. */
export function printableConfig(config: AgentConfig): Record<string, unknown> {
  const { miners, mqttUrl, mqttPassword, cloudUrl, ...rest } = config;
  // Unset optional settings show as null rather than vanishing from the JSON.
  return {
    ...Object.fromEntries(Object.entries(rest).map(([key, value]) => [key, value ?? null])),
    cloudUrl: cloudUrl === undefined ? null : maskUrl(cloudUrl),
    mqttUrl: maskUrl(mqttUrl),
    mqttPassword: mqttPassword === undefined ? null : '****',
    miners: `${miners.length} addresses`,
  };
}
