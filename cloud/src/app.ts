import type { KeyWrapper } from '@hashinsight/vault';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Db } from './db/index.js';
import agentsFeature from './features/agents/index.js';
import auditFeature from './features/audit/index.js';
import authFeature, { identifyPlugin } from './features/auth/index.js';
import catalogFeature from './features/catalog/index.js';
import commandEngineFeature, { type CommandEngineOptions } from './features/commands/engine/index.js';
import commandsFeature, { type CommandsOptions } from './features/commands/index.js';
import consoleFeature, { type ConsoleOptions } from './features/console/index.js';
import customersFeature from './features/customers/index.js';
import fleetFeature from './features/fleet/index.js';
import healthFeature from './features/health/index.js';
import ingestFeature, { ingestMetrics } from './features/ingest/index.js';
import metricsFeature from './features/metrics/index.js';
import minersFeature from './features/miners/index.js';
import networkFeature, {
  createFetcher,
  type FetchLimits,
  NetworkService,
  type SourceId,
  type StaticFigures,
  sourcesFor,
} from './features/network/index.js';
import portalFeature, { portalCursorKey } from './features/portal/index.js';
import profitabilityFeature from './features/profitability/index.js';
import remoteFeature from './features/remote/index.js';
import schedulesFeature, { type SchedulesOptions } from './features/schedules/index.js';
import sitesFeature from './features/sites/index.js';
import telemetryFeature, { type TelemetryJobsOptions } from './features/telemetry/index.js';
import usersFeature from './features/users/index.js';
import vaultFeature, { derivedMasterKey } from './features/vault/index.js';
import { frameworkErrors, installErrorHandling } from './http/error-handler.js';
import { validatorCompiler } from './http/validation.js';
import { createPlatform, type Platform, platformPlugin } from './platform/index.js';
import accessPlugin from './plugins/access.js';
import brokerPlugin, { type Broker } from './plugins/broker.js';
import dbPlugin from './plugins/db.js';
import jwtPlugin from './plugins/jwt.js';
import openapiPlugin from './plugins/openapi.js';
import rateLimitPlugin, { type RateLimits } from './plugins/rate-limit.js';

/** Largest request body accepted; the API takes small JSON documents only. */
export const BODY_LIMIT_BYTES = 64 * 1024;

export interface AppDependencies {
  db: Db;
  broker: Broker;
  jwtSecret: string;
  logger: Logger;
  /** Clock for stored times (tests inject one). */
  now?: () => number;
  /** A miner whose latest sample is older than this reads as stale (HASHINSIGHT_STALE_AFTER_S); default 300 s. */
  staleAfterMs?: number;
  /** Cache, notifications and events; the caller owns it. Unset: an in-memory one that lives with the app. */
  platform?: Platform;
  /** Bearer token for GET /metrics; unset: loopback clients only. */
  metricsToken?: string | undefined;
  /** Overrides of the login and API rate limits (tests). */
  rateLimits?: Partial<RateLimits>;
  /** Runs the telemetry rollup and retention jobs (server.ts passes them; app tests usually do not). */
  telemetryJobs?: TelemetryJobsOptions;
  /** The broker URL enrollment gives agents (HASHINSIGHT_AGENT_BROKER_URL, else the broker's own address). */
  agentBrokerUrl?: () => string;
  /** Network data for the calculator; default: no sources (offline), the static values. */
  network?: NetworkSettings;
  /** Portal Lite requests per minute per client (tests, benchmarks); default 1200. */
  portalRatePerMinute?: number;
  /** Remote commands: approval policy, rollout defaults, rate limits, SSE heartbeat (tests). */
  commands?: Omit<CommandsOptions, 'secret' | 'now' | 'staleAfterMs'>;
  /** The command engine's timers and limits (tests drive passes themselves with timers: false). */
  commandEngine?: Omit<CommandEngineOptions, 'now'>;
  /** The schedules' minute tick (tests fire them with fastify.schedules.fireNow() and timers: false). */
  schedules?: Omit<SchedulesOptions, 'now'>;
  /** The credential vault's master key (server.ts: HASHINSIGHT_MASTER_KEY*); unset: derived from jwtSecret. */
  masterKey?: KeyWrapper;
  /** The web console's folder and live-stream timings (tests); default: cloud/dist/web, 15 s heartbeat, 1 s throttle. */
  console?: Omit<ConsoleOptions, 'now'>;
}

export interface NetworkSettings {
  /** Enabled sources in priority order (HASHINSIGHT_NETWORK_SOURCES); empty: no outbound requests at all. */
  sources?: readonly SourceId[];
  /** Base URL per source (tests point them at a loopback server). */
  urls?: Partial<Record<SourceId, string>>;
  staticFigures?: StaticFigures;
  refreshMs?: number;
  fetchLimits?: FetchLimits;
}

/**
 * Composes the HTTP API and the MQTT ingest from ready dependencies. The caller owns `db` and `broker` and
 * closes them after the app. Tests call this and use `app.inject`.
 */
export async function buildApp({
  db,
  broker,
  jwtSecret,
  logger,
  now,
  staleAfterMs,
  platform: givenPlatform,
  metricsToken,
  rateLimits,
  telemetryJobs,
  agentBrokerUrl,
  network = {},
  portalRatePerMinute,
  masterKey,
  commands,
  commandEngine,
  schedules,
  console: consoleOptions,
}: AppDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT_BYTES,
    // Router errors (bad URL encoding, over-long path parameters) leave as envelopes like every other error.
    frameworkErrors,
  });
  // Bodies are validated without type coercion; see http/validation.ts.
  app.setValidatorCompiler(validatorCompiler);
  installErrorHandling(app);
  // The API speaks JSON only: anything else is 415 rather than a string that fails validation later.
  app.removeContentTypeParser('text/plain');
  await app.register(dbPlugin, { db });
  const platform = givenPlatform ?? (await createPlatform({ db, logger }));
  if (givenPlatform === undefined) app.addHook('onClose', () => platform.close());
  await app.register(platformPlugin, { platform });
  await app.register(brokerPlugin, { broker });
  await app.register(jwtPlugin, { secret: jwtSecret });
  // Before any feature: it checks every route as it is registered.
  await app.register(accessPlugin);
  // Before the features too: their hooks must see every route (request metrics, rate limits).
  await app.register(metricsFeature, { token: metricsToken, ingest: ingestMetrics });
  await app.register(rateLimitPlugin, {
    redis: platform.redis,
    redisPrefix: platform.redisPrefix,
    ...(rateLimits ? { limits: rateLimits } : {}),
  });
  // Before the features too: the audit hooks and the identify/route catalogue apply to every route after them.
  await app.register(auditFeature, now ? { now } : {});
  await app.register(identifyPlugin);
  // Before the features too: it documents each route as it is registered (OpenAPI at /docs).
  await app.register(openapiPlugin);
  await app.register(healthFeature);
  await app.register(authFeature);
  await app.register(usersFeature);
  await app.register(sitesFeature, now ? { now } : {});
  await app.register(customersFeature, now ? { now } : {});
  const fleetClock = { ...(now ? { now } : {}), ...(staleAfterMs !== undefined ? { staleAfterMs } : {}) };
  await app.register(minersFeature, fleetClock);
  await app.register(fleetFeature, fleetClock);
  await app.register(agentsFeature, {
    ...(now ? { now } : {}),
    ...(agentBrokerUrl ? { brokerUrl: agentBrokerUrl } : {}),
  });
  await app.register(vaultFeature, {
    masterKey: masterKey ?? derivedMasterKey(jwtSecret),
    ...(now ? { now } : {}),
  });
  await app.register(commandsFeature, { ...commands, secret: jwtSecret, ...fleetClock });
  await app.register(commandEngineFeature, { ...commandEngine, ...(now ? { now } : {}) });
  await app.register(schedulesFeature, { ...schedules, ...(now ? { now } : {}) });
  await app.register(remoteFeature);
  await app.register(ingestFeature, now ? { now } : {});
  await app.register(telemetryFeature, telemetryJobs ? { jobs: telemetryJobs } : {});
  await app.register(catalogFeature, now ? { now } : {});
  const fetcher = createFetcher(network.fetchLimits);
  app.addHook('onClose', () => fetcher.close());
  const networkService = new NetworkService({
    db,
    cache: platform.cache,
    logger: logger.child({ feature: 'network' }),
    fetch: fetcher.fetch,
    sources: sourcesFor(network.sources ?? [], network.urls),
    ...(network.staticFigures ? { staticFigures: network.staticFigures } : {}),
    ...(network.refreshMs ? { refreshMs: network.refreshMs } : {}),
    ...(now ? { now } : {}),
  });
  await app.register(networkFeature, { service: networkService, ...(now ? { now } : {}) });
  await app.register(profitabilityFeature, { network: networkService, ...(now ? { now } : {}) });
  await app.register(portalFeature, {
    network: networkService,
    cursorKey: portalCursorKey(jwtSecret),
    ...(portalRatePerMinute === undefined ? {} : { ratePerMinute: portalRatePerMinute }),
    ...fleetClock,
  });
  await app.register(consoleFeature, { ...consoleOptions, ...(now ? { now } : {}) });
  return app;
}
