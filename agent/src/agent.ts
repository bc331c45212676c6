// The one file that wires south (miners) to north (cloud): poller -> outbox -> sync, plus the local health endpoint.
import { hostname } from 'node:os';
import { MinerReader } from '@hashinsight/miners';
import type { Logger } from 'pino';
import type { AgentConfig } from './config/index.js';
import { agentStatus, type HealthServer, PollTracker, startHealthServer } from './health/index.js';
import { Inventory } from './inventory/index.js';
import { Poller } from './poll/index.js';
import { AgentStore } from './store/index.js';
import { CloudSync } from './sync/index.js';
import { AGENT_VERSION } from './version.js';

export { AGENT_VERSION };

export interface RunningAgent {
  agentId: string;
  store: AgentStore;
  inventory: Inventory;
  sync: CloudSync;
  poller: Poller;
  /** The health endpoint once listening; undefined when disabled (healthPort 0) or its port was taken. */
  health: Promise<HealthServer | undefined>;
  stop(): Promise<void>;
}

export function startAgent(config: AgentConfig, logger: Logger): RunningAgent {
  const startedMs = Date.now();
  const store = new AgentStore(config.dataDir);
  const inventory = new Inventory(store.db);
  const agentId = store.agentId(config.agentId);
  const log = logger.child({ agentId });
  // A new process is a new session: samples polled before the first connection get their own epoch.
  store.nextEpoch();
  const sync = new CloudSync(
    store,
    {
      agentId,
      mqttUrl: config.mqttUrl,
      mqttUsername: config.mqttUsername,
      mqttPassword: config.mqttPassword,
      batchSize: config.batchSize,
      agentVersion: AGENT_VERSION,
      hostname: hostname(),
    },
    log,
  );
  // Each miner is identified once (its driver remembered per IP), then read through that driver.
  // A loop with no finished cycle for three intervals plus a full deadline is stuck, not slow.
  const pollTracker = new PollTracker(
    config.pollIntervalMs,
    3 * config.pollIntervalMs + config.pollTimeoutMs * 4,
    startedMs,
  );
  const reader = new MinerReader({ port: config.minerPort, timeoutMs: config.pollTimeoutMs });
  const poller = new Poller(
    store,
    (ip) => reader.read(ip),
    config,
    log,
    (cycle) => {
      pollTracker.cycleFinished(cycle.durationMs, Date.now());
      log.info(
        {
          polled: cycle.polled,
          failed: cycle.failed,
          durationMs: cycle.durationMs,
          backlog: store.backlog(),
        },
        'poll cycle stored',
      );
      sync.kick();
    },
  );
  sync.start();
  poller.start();
  const health =
    config.healthPort === 0
      ? Promise.resolve(undefined)
      : startHealthServer({
          port: config.healthPort,
          status: () =>
            agentStatus({
              agentId,
              version: AGENT_VERSION,
              startedMs,
              outboxMaxBytes: config.outboxMaxBytes,
              store,
              sync,
              inventory,
              poll: pollTracker,
            }),
          live: () => pollTracker.live(Date.now()),
          logger: log,
        }).then(
          (server) => {
            log.info({ port: server.port }, 'health endpoint on 127.0.0.1');
            return server;
          },
          // The agent keeps collecting without its health endpoint; losing samples would be worse.
          (error: unknown) => {
            log.error(
              { err: error, port: config.healthPort },
              'health endpoint not started (HASHINSIGHT_AGENT_HEALTH_PORT)',
            );
            return undefined;
          },
        );
  log.info(
    { miners: config.miners.length, intervalMs: config.pollIntervalMs, version: AGENT_VERSION },
    'agent started',
  );
  return {
    agentId,
    store,
    inventory,
    sync,
    poller,
    health,
    async stop() {
      await (await health)?.close();
      await poller.stop();
      await sync.stop();
      store.close();
      log.info('agent stopped');
    },
  };
}
