// The command path on real parts for the executor tests: a stand-in cloud signing commands and sealing credentials
// on a real aedes broker, the agent's real CloudSync, a real store, and an executor running the real drivers.
import { hashinsight } from '@hashinsight/protocol';
import { startTestBroker, tempDir, waitFor } from '@hashinsight/testkit';
import { generateKeyPair } from '@hashinsight/vault';
import pino from 'pino';
import type { Test } from 'tap';
import { Inventory } from '../../inventory/index.js';
import { AgentStore, CommandJournal, CredentialCache, LedTimers } from '../../store/index.js';
import { CloudSync } from '../../sync/index.js';
import { type MinerControl, minerControl, minerObserver } from '../control.js';
import { CommandExecutor, type CommandExecutorOptions } from '../executor.js';
import { freePort, StandInCloud } from './rig.js';

let agentSeq = 0;

export interface RigOptions {
  concurrency?: number;
  control?: (real: MinerControl) => MinerControl;
  effectTimeoutMs?: number;
}

export async function setup(t: Test, options: RigOptions = {}) {
  const agentId = `agent-cmd-${process.pid}-${agentSeq++}`;
  // Every log line (debug and up) and every payload through the broker, for the canary checks.
  const logs: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => logs.push(line) });
  const wire: Buffer[] = [];
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  broker.aedes.on('publish', (packet) => wire.push(Buffer.from(packet.payload)));
  const store = new AgentStore(tempDir(t));
  t.teardown(() => store.close());
  const inventory = new Inventory(store.db);
  const journal = new CommandJournal(store.db);
  const cloud = new StandInCloud(broker, agentId);
  const boxKey = generateKeyPair('x25519');
  const sync = new CloudSync(
    store,
    { agentId, mqttUrl: broker.url, agentVersion: '0.0.0-test', hostname: 'box' },
    pino({ level: 'silent' }),
  );
  const webPort = await freePort();
  /** An executor on these parts, as after a restart of the agent (`overrides` for the test's hooks). */
  const newExecutor = (overrides: Partial<Omit<CommandExecutorOptions, 'control'>> & RigOptions = {}) => {
    const real = minerControl({ webPort, timeoutMs: 3000 });
    const { control, ...rest } = overrides;
    return new CommandExecutor({
      journal,
      credentials: new CredentialCache(store.db),
      inventory,
      channel: sync,
      identity: {
        agentId,
        commandKeys: [{ keyId: cloud.key.keyId, publicKey: cloud.key.publicKey }],
        boxKey,
      },
      control: control ? control(real) : real,
      observer: minerObserver({ webPort, timeoutMs: 3000 }),
      ledTimers: new LedTimers(store.db),
      effectPollMs: 50,
      effectTimeoutMs: 10_000,
      concurrency: 4,
      logger,
      ...rest,
    });
  };
  const executor = newExecutor({
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    ...(options.control === undefined ? {} : { control: options.control }),
    ...(options.effectTimeoutMs === undefined ? {} : { effectTimeoutMs: options.effectTimeoutMs }),
  });
  executor.start();
  let connected = 0;
  sync.onConnected(() => connected++);
  sync.start();
  t.teardown(async () => {
    await executor.stop();
    await sync.stop();
  });
  await waitFor('the agent connected', () => (connected > 0 ? true : undefined));
  return {
    agentId,
    broker,
    store,
    inventory,
    journal,
    cloud,
    boxKey,
    sync,
    executor,
    newExecutor,
    webPort,
    logs,
    wire,
  };
}

export type Rig = Awaited<ReturnType<typeof setup>>;

const FINAL = new Set(['succeeded', 'failed', 'rejected', 'expired', 'timed_out', 'cancelled']);

/** Sends a signed command and waits for every target to reach a final state; returns the command id. */
export async function run(
  rig: Rig,
  bytes: Uint8Array,
  minerIds: string[],
  timeoutMs = 15_000,
): Promise<string> {
  const id = hashinsight.v1.Command.decode(bytes).commandId;
  await rig.cloud.publish('command', bytes);
  await waitFor(
    `command ${id} finished`,
    () => (minerIds.every((m) => FINAL.has(rig.cloud.statesOf(id, m).at(-1) ?? '')) ? true : undefined),
    { timeoutMs },
  );
  return id;
}
