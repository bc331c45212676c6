import type { Logger } from 'pino';
import { buildApp, type NetworkSettings } from './app.js';
import { type CloudConfig, ConfigError, loadOrCreateJwtSecret } from './config/index.js';
import { type Db, migrateToLatest, openDatabase } from './db/index.js';
import { verifyAgentCredentials } from './features/agents/index.js';
import { bootstrapOwner, ensureDefaultTenant } from './features/auth/index.js';
import type { SourceId } from './features/network/index.js';
import { loadMasterKey } from './features/vault/index.js';
import { createLogger } from './logger.js';
import { createPlatform } from './platform/index.js';
import {
  connectExternalBroker,
  createEmbeddedBroker,
  type EmbeddedBroker,
  type ExternalBroker,
} from './plugins/broker.js';

export interface StartCloudOptions {
  logger?: Logger;
}

export interface RunningCloud {
  /** e.g. http://127.0.0.1:8420 */
  httpUrl: string;
  httpPort: number;
  mqttPort: number;
  /** Set only on the start that created the owner with a generated password: show it once. */
  bootstrapPassword?: string;
  /** Stops HTTP, lets in-flight ingest finish, closes the broker, then the database. */
  close(): Promise<void>;
}

/** Turns "address in use" and friends into a ConfigError that says which setting to change. */
async function listening<T>(
  what: 'HTTP' | 'MQTT',
  host: string,
  port: number,
  listen: () => Promise<T>,
): Promise<T> {
  try {
    return await listen();
  } catch (error) {
    throw listenError(error, what, host, port);
  }
}

function listenError(error: unknown, what: 'HTTP' | 'MQTT', host: string, port: number): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  const prefix = `HASHINSIGHT_${what}`;
  if (code === 'EADDRINUSE') {
    return new ConfigError(
      `${prefix}_PORT`,
      `${what} port ${port} on ${host} is already in use: set ${prefix}_PORT to a free port`,
      { cause: error },
    );
  }
  if (code === 'EACCES') {
    return new ConfigError(
      `${prefix}_PORT`,
      `${what} port ${port} on ${host} needs privileges: set ${prefix}_PORT to a port above 1023`,
      { cause: error },
    );
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new ConfigError(
      `${prefix}_HOST`,
      `${what} host ${host} is not an address of this machine: set ${prefix}_HOST`,
      { cause: error },
    );
  }
  return error;
}

/** The network-data settings of the calculator from the HASHINSIGHT_NETWORK_* settings. */
function networkSettingsOf(config: CloudConfig): NetworkSettings {
  return {
    sources: config.networkSources
      .split(',')
      .map((id) => id.trim())
      .filter((id): id is SourceId => id !== ''),
    urls: {
      mempool: config.networkMempoolUrl,
      blockchain: config.networkBlockchainUrl,
      coingecko: config.networkCoingeckoUrl,
    },
    refreshMs: config.networkRefreshS * 1000,
    staticFigures: {
      btcPriceUsd: config.networkStaticBtcPriceUsd,
      difficulty: config.networkStaticDifficulty,
      blockHeight: config.networkStaticBlockHeight,
      avgFeesPerBlockBtc: config.networkStaticAvgFeesBtc,
      asOfMs: Date.parse(config.networkStaticAsOf),
    },
  };
}

const urlHost = (host: string) => (host.includes(':') ? `[${host}]` : host);

/** The broker's own address for agents: MQTT_URL without its login, else the embedded listener. */
function defaultAgentBrokerUrl(config: CloudConfig, mqttPort: number): string {
  if (config.mqttUrl !== undefined) {
    const url = new URL(config.mqttUrl);
    return `${url.protocol}//${url.host}`;
  }
  // Listening on every interface says nothing about the address agents reach: loopback, unless configured.
  const host = ['0.0.0.0', '::'].includes(config.mqttHost) ? '127.0.0.1' : config.mqttHost;
  return `mqtt://${urlHost(host)}:${mqttPort}`;
}

/**
 * Starts the cloud: migrates the database, creates the owner on first start, starts the embedded broker and
 * the HTTP API. Ports 0 pick free ports; the real ones are returned. Listen failures become ConfigErrors.
 */
export async function startCloud(
  config: CloudConfig,
  options: StartCloudOptions = {},
): Promise<RunningCloud> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const jwtSecret = config.jwtSecret ?? (await loadOrCreateJwtSecret(config.dataDir));
  const masterKey = await loadMasterKey(config);
  // Undone in reverse order on failure and on close.
  const cleanups: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (let cleanup = cleanups.pop(); cleanup !== undefined; cleanup = cleanups.pop()) await cleanup();
  };

  try {
    const db: Db = openDatabase(config);
    cleanups.push(() => db.destroy());
    await migrateToLatest(db);
    await ensureDefaultTenant(db, Date.now());

    // MQTT_URL set: the cloud is a client of that broker, which holds the agents' logins (dynsec). Otherwise it
    // runs aedes itself and checks every agent's password against the database.
    const brokerLogger = logger.child({ component: 'broker' });
    let embedded: EmbeddedBroker | undefined;
    let broker: EmbeddedBroker | ExternalBroker;
    if (config.mqttUrl === undefined) {
      embedded = await createEmbeddedBroker(brokerLogger, {
        verifyAgent: (agentId, password) => verifyAgentCredentials(db, agentId, password),
      });
      broker = embedded;
    } else {
      broker = await connectExternalBroker(brokerLogger, { url: config.mqttUrl }).catch((error: unknown) => {
        // The message names the address or the refusal, never the URL (it holds the password).
        throw new ConfigError(
          'MQTT_URL',
          `could not connect to the broker in MQTT_URL: ${(error as Error).message}`,
          { cause: error },
        );
      });
    }
    cleanups.push(() => broker.close());
    // Closed after the app (cleanups run in reverse): the relay and consumers stop before the database goes.
    const platform = await createPlatform({
      db,
      logger,
      redisUrl: config.redisUrl,
      redisPrefix: config.redisPrefix,
    });
    cleanups.push(() => platform.close());
    // Known once the broker listens (port 0 picks one); asked at each enrollment.
    let agentBrokerUrl = config.agentBrokerUrl;
    const app = await buildApp({
      agentBrokerUrl: () => agentBrokerUrl ?? '',
      db,
      broker,
      platform,
      metricsToken: config.metricsToken,
      staleAfterMs: config.staleAfterS * 1000,
      jwtSecret,
      masterKey,
      logger,
      network: networkSettingsOf(config),
      portalRatePerMinute: config.portalRatePerMinute,
      commands: {
        policy: {
          approvalMaxTargets: config.commandApprovalMaxTargets,
          approvalMaxSitePct: config.commandApprovalMaxSitePct,
          operatorPerMinute: config.commandRatePerOperator,
          tenantPerMinute: config.commandRatePerTenant,
        },
      },
      telemetryJobs: {
        retention: {
          raw: config.retentionRawDays,
          '5m': config.retention5mDays,
          '1h': config.retention1hDays,
          '1d': config.retention1dDays,
        },
      },
    });
    cleanups.push(() => app.close());
    // Features subscribe in ready(), before the broker accepts agents or says the cloud is online.
    await app.ready();
    platform.start();

    // With an external broker, agents connect to it: report its port.
    const mqttPort =
      embedded === undefined
        ? Number(new URL(config.mqttUrl ?? '').port || 1883)
        : await listening('MQTT', config.mqttHost, config.mqttPort, () =>
            embedded.listen(config.mqttHost, config.mqttPort),
          );
    agentBrokerUrl ??= defaultAgentBrokerUrl(config, mqttPort);
    await listening('HTTP', config.httpHost, config.httpPort, () =>
      app.listen({ host: config.httpHost, port: config.httpPort }),
    );
    const address = app.server.address();
    const httpPort = typeof address === 'object' && address !== null ? address.port : config.httpPort;
    // Only once both ports are ours: a generated password shown by a start that then failed would be lost.
    const { generatedPassword } = await bootstrapOwner(
      db,
      { email: config.bootstrapEmail, password: config.bootstrapPassword },
      Date.now(),
    );

    let closing: Promise<void> | undefined;
    return {
      httpUrl: `http://${urlHost(config.httpHost)}:${httpPort}`,
      httpPort,
      mqttPort,
      ...(generatedPassword === undefined ? {} : { bootstrapPassword: generatedPassword }),
      close: () => {
        closing ??= closeAll();
        return closing;
      },
    };
  } catch (error) {
    await closeAll().catch((cleanupError: unknown) => {
      logger.error({ err: cleanupError }, 'cleanup after a failed start failed');
    });
    throw error;
  }
}
