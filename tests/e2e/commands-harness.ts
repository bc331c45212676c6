// The whole command path on real parts, for the issue #6 system tests: the cloud in-process (SQLite in a temp folder,
// embedded broker, every log line captured), one or more agents enrolled as a technician enrolls them (their own
// keys, so they verify the cloud's signed commands and open its sealed logins) and reaching the broker through an
// MQTT tap, each with its own fleet of virtual miners on loopback. An agent runs in-process, or as a real
// `hashinsight-agent run` process that a test can SIGKILL and start again on the same store.
import { type ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import {
  createLogger as agentLogger,
  enroll,
  loadAgentConfig,
  type RunningAgent,
  startAgent,
} from '@hashinsight/agent';
import {
  type CloudConfig,
  createLogger as cloudLogger,
  type RunningCloud,
  startCloud,
} from '@hashinsight/cloud';
import { type PersonalityName, startFleet, type VirtualMiner } from '@hashinsight/simulator';
import { loopbackAllocator, tempDir, waitFor } from '@hashinsight/testkit';
import Database from 'better-sqlite3';
import type { Test } from 'tap';
import { login, OWNER_PASSWORD, testCloudConfig } from './cloud-harness.js';
import { type MqttTap, startMqttTap } from './mqtt-tap.js';

const AGENT_MAIN = resolve(import.meta.dirname, '../../agent/dist/main.js');

export interface CommandSystemOptions {
  /** Agents, each with its own site and fleet (default 1). */
  agents?: number;
  /** Virtual miners per agent (default 4). */
  minersPerAgent?: number;
  /** Firmware of the miners, handed out in turn (default Whatsminer: every control operation on one API port). */
  personalities?: PersonalityName[];
  /** How long a simulated reboot keeps a miner offline (default 1500 ms). */
  rebootMs?: number;
  /** Web port of every miner that has a web server (stock Antminer CGI); default none. */
  httpPort?: number;
  /** Models of the miners, handed out in turn (default: picked by the firmware's seed). */
  models?: string[];
  /** The web/admin login the miners of agent `index` start with (default: as shipped). */
  credentials?: (index: number) => { username: string; password: string };
  /** Run the agents as real processes (SIGKILL-able) instead of in this process. */
  agentProcess?: boolean;
  /** Poll interval of the agents (default 2000 ms). */
  pollIntervalMs?: number;
  /** Extra agent settings by environment variable. */
  agentEnv?: Record<string, string>;
  /** Extra cloud settings. */
  cloud?: Partial<CloudConfig>;
  /** Level of the captured logs (default debug). */
  logLevel?: 'debug' | 'info' | 'trace';
}

/** One HTTP exchange as the API answered it. */
export interface ApiAnswer<T = unknown> {
  status: number;
  body: { success: boolean; data: T; error?: string; code?: string };
  text: string;
}

export interface SystemMiner {
  agentId: string;
  minerId: string;
  siteId: string;
  ip: string;
  virtual: VirtualMiner;
}

export interface AgentNode {
  index: number;
  agentId: string;
  siteId: string;
  dataDir: string;
  tap: MqttTap;
  ips: string[];
  miners: VirtualMiner[];
  /** The in-process agent while it runs (in-process mode). */
  running: RunningAgent | undefined;
  /** The agent process while it runs (process mode). */
  process: ChildProcess | undefined;
  start(): Promise<void>;
  /** A clean stop (SIGTERM for a process). */
  stop(): Promise<void>;
  /** SIGKILL of the agent process (process mode only). */
  kill9(): Promise<void>;
  /** The agent's SQLite store, read-only, for a quick look (closed by the caller). */
  openStore(): Database.Database;
}

/** Lines of every log (cloud and agents), HTTP answers, in order of arrival. */
export interface Capture {
  logs: string[];
  http: string[];
}

const EMAIL = 'owner@commands.test';

function lineSink(lines: string[]): Writable {
  let partial = '';
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      const text = partial + chunk.toString('utf8');
      const parts = text.split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts.filter((l) => l !== ''));
      done();
    },
  });
}

export async function startCommandSystem(t: Test, options: CommandSystemOptions = {}) {
  const dir = tempDir(t);
  const capture: Capture = { logs: [], http: [] };
  const cloudDir = join(dir, 'cloud');
  const config = testCloudConfig(cloudDir, EMAIL, options.cloud ?? {});
  const cloud: RunningCloud = await startCloud(config, {
    logger: cloudLogger(options.logLevel ?? 'debug', lineSink(capture.logs)),
  });
  t.teardown(() => cloud.close());

  /** Any API call; records the answer's text for the canary search. */
  async function call<T = unknown>(
    method: string,
    path: string,
    { token, body, headers = {} }: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<ApiAnswer<T>> {
    const response = await fetch(`${cloud.httpUrl}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    capture.http.push(`${method} ${path} ${response.status} ${text}`);
    let parsed: ApiAnswer<T>['body'];
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = { success: false, data: undefined as T, error: text };
    }
    return { status: response.status, body: parsed, text };
  }

  /** The `data` of a 2xx answer, else throws with the answer. */
  async function ok<T = unknown>(method: string, path: string, init: Parameters<typeof call>[2] = {}) {
    const answer = await call<T>(method, path, init);
    if (answer.status >= 300 || !answer.body.success) {
      throw new Error(`${method} ${path}: ${answer.status} ${answer.text.slice(0, 500)}`);
    }
    return answer.body.data;
  }

  const owner = await login(cloud, EMAIL);
  const agentCount = options.agents ?? 1;
  const perAgent = options.minersPerAgent ?? 4;
  const personalities = options.personalities ?? ['whatsminer'];
  const agents: AgentNode[] = [];
  const firstSite = (await ok<{ sites: { id: string }[] }>('GET', '/api/sites', { token: owner })).sites[0];
  for (let index = 0; index < agentCount; index++) {
    const siteId =
      index === 0 && firstSite
        ? firstSite.id
        : (await ok<{ id: string }>('POST', '/api/sites', { token: owner, body: { name: `Site ${index}` } }))
            .id;
    const { token } = await ok<{ token: string }>('POST', `/api/sites/${siteId}/enrollment-tokens`, {
      token: owner,
      body: {},
    });
    const dataDir = join(dir, `agent-${index}`);
    const identity = await enroll({
      cloudUrl: cloud.httpUrl,
      token,
      dataDir,
      hostname: `edge-${index}`,
      agentVersion: '0.1.0',
    });
    const ips = loopbackAllocator.take(perAgent);
    const fleet = await startFleet({
      ips,
      seed: 600 + index,
      personalities,
      rebootMs: options.rebootMs ?? 1500,
      ...(options.httpPort === undefined ? {} : { httpPort: options.httpPort }),
      ...(options.models === undefined ? {} : { models: options.models }),
      ...(options.credentials === undefined ? {} : { credentials: options.credentials(index) }),
    });
    t.teardown(() => fleet.close());
    const tap = await startMqttTap(cloud.mqttPort);
    t.teardown(() => tap.close());
    const env: Record<string, string> = {
      HASHINSIGHT_DATA_DIR: dataDir,
      HASHINSIGHT_AGENT_MQTT_URL: tap.url,
      HASHINSIGHT_AGENT_MINERS: ips.join(','),
      HASHINSIGHT_AGENT_POLL_INTERVAL_MS: String(options.pollIntervalMs ?? 2000),
      HASHINSIGHT_AGENT_POLL_TIMEOUT_MS: '2000',
      HASHINSIGHT_AGENT_HEALTH_PORT: '0',
      HASHINSIGHT_LOG_LEVEL: options.logLevel ?? 'debug',
      ...(options.agentEnv ?? {}),
    };
    let exited: Promise<unknown> = Promise.resolve();
    const node: AgentNode = {
      index,
      agentId: identity.agentId,
      siteId,
      dataDir,
      tap,
      ips,
      miners: fleet.miners,
      running: undefined,
      process: undefined,
      async start() {
        if (options.agentProcess) {
          const child = spawn(process.execPath, [AGENT_MAIN, 'run'], {
            env: { ...process.env, ...env },
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          for (const stream of [child.stdout, child.stderr]) {
            createInterface({ input: stream }).on('line', (line) => capture.logs.push(line));
          }
          exited = new Promise((done) => child.once('exit', done));
          node.process = child;
          return;
        }
        node.running = startAgent(
          loadAgentConfig(env),
          agentLogger(options.logLevel ?? 'debug', lineSink(capture.logs)),
        );
      },
      async stop() {
        if (node.running) {
          const running = node.running;
          node.running = undefined;
          await running.stop();
        }
        if (node.process && node.process.exitCode === null && node.process.signalCode === null) {
          node.process.kill('SIGTERM');
          await exited;
        }
        node.process = undefined;
      },
      async kill9() {
        if (!node.process) throw new Error('kill9 needs an agent process (agentProcess: true)');
        node.process.kill('SIGKILL');
        await exited;
        node.process = undefined;
      },
      openStore: () => new Database(join(dataDir, 'agent.sqlite'), { readonly: true, fileMustExist: true }),
    };
    t.teardown(() => node.stop());
    await node.start();
    agents.push(node);
  }

  /** Every miner listed by the API with the agent that polls it, once all of them have reported. */
  async function miners(): Promise<SystemMiner[]> {
    const total = agentCount * perAgent;
    const listed = await waitFor(
      `all ${total} miners in the API`,
      async () => {
        const found: Array<{ id: string; agentId: string; ip: string; status: string }> = [];
        let cursor: string | undefined;
        do {
          const page = await ok<{ miners: typeof found; nextCursor?: string | null }>(
            'GET',
            `/api/miners?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
            { token: owner },
          );
          found.push(...page.miners);
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        return found.length >= total && found.every((m) => m.status === 'ok') ? found : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    return listed.map((m) => {
      const node = agents.find((a) => a.agentId === m.agentId);
      const virtual = node?.miners.find((v) => v.ip === m.ip || m.id === `ip-${v.ip}`);
      if (!node || !virtual) throw new Error(`miner ${m.id} of ${m.agentId} not one of ours`);
      return { agentId: m.agentId, minerId: m.id, siteId: node.siteId, ip: virtual.ip, virtual };
    });
  }

  /** Another operator of the owner's tenant (admin role), logged in: the second person of an approval. */
  async function operator(email: string): Promise<string> {
    await ok('POST', '/api/users', {
      token: owner,
      body: { email, role: 'admin', password: OWNER_PASSWORD },
    });
    return login(cloud, email);
  }

  return {
    cloud,
    cloudDb: join(cloudDir, 'cloud.sqlite'),
    owner,
    /** A second operator of the tenant, for approvals of the owner's commands. */
    second: await operator('second@commands.test'),
    capture,
    agents,
    call,
    ok,
    miners,
    operator,
  };
}

export type CommandSystem = Awaited<ReturnType<typeof startCommandSystem>>;

/** The terminal target states of the lifecycle. */
export const TERMINAL = ['succeeded', 'failed', 'timed_out', 'rejected', 'cancelled', 'expired'];

export interface CommandView {
  id: string;
  state: string;
  type: string;
  targets: Array<{
    agentId: string;
    minerId: string;
    state: string;
    reason?: string | null;
    errorCode?: string | null;
    [key: string]: unknown;
  }>;
  [key: string]: unknown;
}

let keys = 0;
/** POST /api/commands with a fresh Idempotency-Key (unless given); the whole answer. */
export function sendCommand(
  system: CommandSystem,
  body: Record<string, unknown>,
  { token = system.owner, key = `e2e-${process.pid}-${++keys}-${Date.now()}` } = {},
) {
  return system.call<{ id: string; state?: string }>('POST', '/api/commands', {
    token,
    body,
    headers: { 'idempotency-key': key },
  });
}

/**
 * Sends a command and, when the policy asks for a second operator, approves it as `system.second` (or the owner,
 * for a command `token` sent); the command's id.
 */
export async function submit(
  system: CommandSystem,
  body: Record<string, unknown>,
  { token = system.owner }: { token?: string } = {},
): Promise<string> {
  const sent = await sendCommand(system, body, { token });
  if (sent.status !== 201) throw new Error(`POST /api/commands ${sent.status} ${sent.text}`);
  const created = sent.body.data as { id: string; requiresApproval: boolean; canonicalHash: string };
  if (created.requiresApproval) {
    await system.ok('POST', `/api/commands/${created.id}/approve`, {
      token: token === system.owner ? system.second : system.owner,
      body: { canonicalHash: created.canonicalHash },
    });
  }
  return created.id;
}

/** Waits until every target of the command is terminal (or `until` holds); the command then. */
export function settle(
  system: CommandSystem,
  id: string,
  {
    timeoutMs = 30_000,
    until = (c: CommandView) => c.targets.length > 0 && c.targets.every((x) => TERMINAL.includes(x.state)),
  } = {},
): Promise<CommandView> {
  return waitFor(
    `command ${id} settled`,
    async () => {
      const command = await system.ok<CommandView>('GET', `/api/commands/${id}`, { token: system.owner });
      return until(command) ? command : undefined;
    },
    { timeoutMs, intervalMs: 100 },
  );
}

/** Targets of `miners` as the API takes them. */
export const targetsOf = (miners: SystemMiner[]) => ({
  miners: miners.map((m) => ({ agentId: m.agentId, minerId: m.minerId })),
});
