import { join, resolve } from 'node:path';
import { isValidAgentId } from '@hashinsight/protocol';
import { expandTargets } from './targets.js';

/** The agent's settings, validated. Every key comes from a HASHINSIGHT_* environment variable. */
export interface AgentConfig {
  /** Agent identity; when unset, one is generated once and kept in the store. */
  agentId: string | undefined;
  /** Folder of the agent's SQLite store. */
  dataDir: string;
  /** Broker the agent syncs through, e.g. mqtt://127.0.0.1:18830. */
  mqttUrl: string;
  /** Broker login from enrollment: the user name is the agent id. */
  mqttUsername: string | undefined;
  /** Secret: masked by printableConfig, never logged. */
  mqttPassword: string | undefined;
  /** Miner addresses to poll. */
  miners: string[];
  /** cgminer API port of the miners. */
  minerPort: number;
  pollIntervalMs: number;
  /** Polls in flight at once. */
  pollConcurrency: number;
  /** Deadline of one request to one miner. */
  pollTimeoutMs: number;
  /** Samples per telemetry batch. */
  batchSize: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'CONFIG_INVALID';
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function integer(env: NodeJS.ProcessEnv, key: string, fallback: number, min: number, max: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || value < min || value > max) {
    throw new ConfigError(
      `${key} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw.slice(0, 40))}`,
    );
  }
  return value;
}

/** A broker URL mqtt(s)://[user:pass@]host[:port]; the error never repeats the value, which may hold a password. */
function brokerUrl(raw: string): string {
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    // reported below
  }
  const ok =
    url &&
    ['mqtt:', 'mqtts:'].includes(url.protocol) &&
    url.hostname !== '' &&
    ['', '/'].includes(url.pathname);
  if (!ok)
    throw new ConfigError('HASHINSIGHT_AGENT_MQTT_URL must look like mqtt://host:port or mqtts://host:port');
  return raw;
}

/** Reads and validates the agent's settings; throws ConfigError naming the bad key. */
export function loadAgentConfig(env: NodeJS.ProcessEnv, cwd = process.cwd()): AgentConfig {
  const mqttUsername = env.HASHINSIGHT_AGENT_MQTT_USERNAME || undefined;
  const mqttPassword = env.HASHINSIGHT_AGENT_MQTT_PASSWORD || undefined;
  // The cloud's broker admits a client only when its client id, user name and agent id are one and the same.
  const agentId = env.HASHINSIGHT_AGENT_ID || mqttUsername;
  if (agentId !== undefined && !isValidAgentId(agentId)) {
    throw new ConfigError('HASHINSIGHT_AGENT_ID must be 1-64 characters of A-Z, a-z, 0-9, _ and -');
  }
  if (mqttUsername !== undefined && mqttUsername !== agentId) {
    throw new ConfigError(
      'HASHINSIGHT_AGENT_MQTT_USERNAME must equal HASHINSIGHT_AGENT_ID (the enrolled agent id)',
    );
  }
  if ((mqttUsername === undefined) !== (mqttPassword === undefined)) {
    throw new ConfigError(
      'HASHINSIGHT_AGENT_MQTT_USERNAME and HASHINSIGHT_AGENT_MQTT_PASSWORD are set together (from enrollment)',
    );
  }
  const mqttUrl = brokerUrl(env.HASHINSIGHT_AGENT_MQTT_URL || 'mqtt://127.0.0.1:18830');
  let miners: string[];
  try {
    miners = expandTargets(env.HASHINSIGHT_AGENT_MINERS ?? '');
  } catch (error) {
    throw new ConfigError(`HASHINSIGHT_AGENT_MINERS: ${(error as Error).message}`);
  }
  const logLevel = (env.HASHINSIGHT_LOG_LEVEL || 'info') as AgentConfig['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`HASHINSIGHT_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  }
  return {
    agentId,
    dataDir: resolve(cwd, env.HASHINSIGHT_DATA_DIR || join('.data', 'agent')),
    mqttUrl,
    mqttUsername,
    mqttPassword,
    miners,
    minerPort: integer(env, 'HASHINSIGHT_AGENT_MINER_PORT', 4028, 1, 65_535),
    pollIntervalMs: integer(env, 'HASHINSIGHT_AGENT_POLL_INTERVAL_MS', 60_000, 1000, 86_400_000),
    pollConcurrency: integer(env, 'HASHINSIGHT_AGENT_POLL_CONCURRENCY', 64, 1, 4096),
    pollTimeoutMs: integer(env, 'HASHINSIGHT_AGENT_POLL_TIMEOUT_MS', 5000, 100, 60_000),
    batchSize: integer(env, 'HASHINSIGHT_AGENT_BATCH_SIZE', 500, 1, 2000),
    logLevel,
  };
}

/** The settings as `--print-config` shows them: broker credentials masked, the target list summarised. */
export function printableConfig(config: AgentConfig): Record<string, unknown> {
  const { miners, mqttUrl, mqttPassword, ...rest } = config;
  const url = new URL(mqttUrl);
  if (url.username) url.username = '****';
  if (url.password) url.password = '****';
  return {
    ...rest,
    mqttUrl: url.toString(),
    mqttPassword: mqttPassword === undefined ? null : '****',
    miners: `${miners.length} addresses`,
  };
}
