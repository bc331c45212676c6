// The one file that wires south (miners) to north (cloud): poller -> outbox -> sync.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { MinerReader } from '@hashinsight/miners';
import type { Logger } from 'pino';
import type { AgentConfig } from './config/index.js';
import { Poller } from './poll/index.js';
import { AgentStore } from './store/index.js';
import { CloudSync } from './sync/index.js';

export const AGENT_VERSION: string = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
).version;

export interface RunningAgent {
  agentId: string;
  store: AgentStore;
  sync: CloudSync;
  poller: Poller;
  stop(): Promise<void>;
}

export function startAgent(config: AgentConfig, logger: Logger): RunningAgent {
  const store = new AgentStore(config.dataDir);
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
  const reader = new MinerReader({ port: config.minerPort, timeoutMs: config.pollTimeoutMs });
  const poller = new Poller(
    store,
    (ip) => reader.read(ip),
    config,
    log,
    (cycle) => {
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
  log.info(
    { miners: config.miners.length, intervalMs: config.pollIntervalMs, version: AGENT_VERSION },
    'agent started',
  );
  return {
    agentId,
    store,
    sync,
    poller,
    async stop() {
      await poller.stop();
      await sync.stop();
      store.close();
      log.info('agent stopped');
    },
  };
}
