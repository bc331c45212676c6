// The one file that wires south (miners) to north (cloud): scanner -> inventory, poller -> outbox -> sync, cloud
// commands -> journal -> miners, plus the local health endpoint. Parts start in that order and stop in reverse.
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { CommandExecutor, MinerLogins, minerControl, minerObserver } from './commands/index.js';
import type { AgentConfig } from './config/index.js';
import { agentStatus, type HealthServer, PollWatch, startHealthServer } from './health/index.js';
import { hasIdentity, loadIdentity } from './identity/index.js';
import { Inventory } from './inventory/index.js';
import { driverReader, Poller } from './poll/index.js';
import { RescanScheduler } from './scan/index.js';
import { AgentStore, CommandJournal, CredentialCache, LedTimers } from './store/index.js';
import { CloudSync } from './sync/index.js';
import { AGENT_VERSION } from './version.js';

export { AGENT_VERSION };

export interface RunningAgent {
  agentId: string;
  store: AgentStore;
  inventory: Inventory;
  sync: CloudSync;
  poller: Poller;
  rescan: RescanScheduler;
  /** Runs the cloud's signed commands; undefined until the agent is enrolled (no keys to verify them with). */
  commands: CommandExecutor | undefined;
  /** The health endpoint once listening; undefined when disabled (healthPort 0) or its port was taken. */
  health: Promise<HealthServer | undefined>;
  stop(): Promise<void>;
}

export function startAgent(config: AgentConfig, logger: Logger): RunningAgent {
  const startedMs = Date.now();
  // Read first: an identity that is present but broken (keys missing, tampered) stops the agent before it opens
  // anything, with the IdentityError naming the file.
  const identity = hasIdentity(config.dataDir) ? loadIdentity(config.dataDir) : undefined;
  const store = new AgentStore(config.dataDir, Date.now, {
    outboxMaxBytes: config.outboxMaxBytes,
    logger,
  });
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
      uploadMaxBytesPerSecond: config.uploadMaxBytesPerSecond || undefined,
      agentVersion: AGENT_VERSION,
      hostname: hostname(),
    },
    log,
  );

  // The miners' logins, sealed by the cloud to this agent's key: only an enrolled agent can open them.
  const credentials = new CredentialCache(store.db);
  const logins = identity === undefined ? undefined : new MinerLogins(credentials, identity);
  const minerAccess = { webPort: config.minerWebPort };

  // Nothing written for three intervals plus three deadlines, with miners to poll, is a stuck loop, not a slow one.
  const pollWatch = new PollWatch(3 * (config.pollIntervalMs + config.pollTimeoutMs), startedMs);
  const poller = new Poller(
    store,
    inventory,
    driverReader({ timeoutMs: config.pollTimeoutMs }, { ...minerAccess, logins }),
    {
      intervalMs: config.pollIntervalMs,
      jitterPct: config.pollJitterPct,
      concurrency: config.pollConcurrency,
      deadlineMs: config.pollTimeoutMs * 3,
      backoffMaxMs: config.backoffMaxMs,
      offlineAfterFailures: config.offlineAfterFailures,
      staticTargets: config.miners,
      port: config.minerPort,
    },
    log,
    {
      onFlush: () => {
        pollWatch.written(Date.now());
        sync.kick();
      },
    },
  );

  const rescan = new RescanScheduler(
    inventory,
    {
      cron: config.scanTargets.length === 0 ? 'off' : config.rescanCron,
      scan: {
        targets: config.scanTargets,
        exclude: config.scanExclude,
        concurrency: config.scanConcurrency,
        port: config.minerPort,
        timeoutMs: config.scanTimeoutMs,
      },
      publish: (payload) => sync.publish('discovery', payload),
      onScan: (result) => {
        // New and moved miners are polled from now on, not at the poller's next inventory reload.
        poller.refresh();
        log.info(
          {
            scanId: result.scanId,
            probed: result.probed,
            found: result.miners.length,
            aborted: result.aborted,
          },
          'scan recorded',
        );
      },
    },
    log,
  );
  // Discovery reports made while the cloud was away go out on the next connection.
  sync.onConnected(() => void rescan.publishPending());

  // Commands are verified against the cloud keys enrollment stored, so they run only on an enrolled agent. The
  // executor subscribes through the sync (on every connect) and resumes its journal before the first message.
  let commands: CommandExecutor | undefined;
  if (identity !== undefined) {
    commands = new CommandExecutor({
      journal: new CommandJournal(store.db),
      credentials,
      inventory,
      channel: sync,
      identity: { agentId, commandKeys: identity.commandKeys, boxKey: identity.boxKey },
      control: minerControl(minerAccess),
      observer: minerObserver(minerAccess),
      ledTimers: new LedTimers(store.db),
      effectTimeoutMs: config.effectTimeoutS * 1000,
      effectPollMs: config.effectPollMs,
      concurrency: config.commandConcurrency,
      logger: log,
    });
    commands.start();
  } else {
    log.info(
      { dataDir: config.dataDir },
      'not enrolled: cloud commands are off until `hashinsight-agent enroll`',
    );
  }

  sync.start();
  poller.start();
  rescan.start();
  // A site with targets but no known miner yet (first start) is scanned at once rather than at the next tick.
  if (config.scanTargets.length > 0 && inventory.list().length === 0) void rescan.runNow();

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
              store,
              sync,
              poller,
              pollWatch,
            }),
          live: () => pollWatch.live(poller.stats().miners, Date.now()),
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
    {
      miners: inventory.list().length,
      staticMiners: config.miners.length,
      scanTargets: config.scanTargets.length,
      intervalMs: config.pollIntervalMs,
      version: AGENT_VERSION,
    },
    'agent started',
  );
  return {
    agentId,
    store,
    inventory,
    sync,
    poller,
    rescan,
    commands,
    health,
    async stop() {
      await (await health)?.close();
      await rescan.stop();
      await poller.stop();
      await commands?.stop();
      await sync.stop();
      store.close();
      log.info('agent stopped');
    },
  };
}
