import { statfs } from 'node:fs/promises';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import mqtt from 'mqtt';
import type { AgentConfig } from '../config/index.js';
import { Inventory } from '../inventory/index.js';
import { openStoreReadOnly, StoreUnavailable } from './store-reader.js';

export type Verdict = 'PASS' | 'WARN' | 'FAIL';

export interface CheckResult {
  name: string;
  status: Verdict;
  reason: string;
}

const MiB = 1024 * 1024;
/** Below this much free space the store cannot take a day of samples safely. */
const MIN_FREE_BYTES = 64 * MiB;
/** Clock skew a technician should fix (WARN) and skew that breaks signed commands and TLS (FAIL). */
const SKEW_WARN_MS = 5_000;
const SKEW_FAIL_MS = 60_000;

/** 512 B, 3.4 KiB, 120 MiB, 1.0 GiB. */
function size(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 || value >= 100 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}
const masked = (raw: string) => {
  const url = new URL(raw);
  if (url.username) url.username = '****';
  if (url.password) url.password = '****';
  return url.toString().replace(/\/$/, '');
};
const errorCode = (error: unknown) => {
  const e = error as { code?: unknown; cause?: { code?: unknown }; message?: string };
  return String(e.cause?.code ?? e.code ?? e.message ?? error);
};

/** What the running daemon's health endpoint says, if one answers for this agent. */
export async function daemonStatus(config: AgentConfig): Promise<Record<string, unknown> | undefined> {
  if (config.healthPort === 0) return undefined;
  try {
    const response = await fetch(`http://127.0.0.1:${config.healthPort}/status`, {
      signal: AbortSignal.timeout(1500),
    });
    const body = (await response.json()) as { success?: boolean; data?: Record<string, unknown> };
    if (!body.success || body.data === undefined) return undefined;
    if (config.agentId !== undefined && body.data.agentId !== config.agentId) return undefined;
    return body.data;
  } catch {
    return undefined;
  }
}

/**
 * Can the agent reach its broker and log in? When the daemon runs, its own connection answers: a second login
 * under the same client id would take its session over. Otherwise a clean connect with the configured login,
 * no will, disconnected at once.
 */
export async function checkBroker(
  config: AgentConfig,
  daemon: Record<string, unknown> | undefined,
): Promise<CheckResult> {
  const where = masked(config.mqttUrl);
  if (daemon !== undefined) {
    const broker = daemon.broker as { connected?: boolean } | undefined;
    return broker?.connected
      ? { name: 'broker', status: 'PASS', reason: `the running daemon is connected to ${where}` }
      : {
          name: 'broker',
          status: 'FAIL',
          reason: `the running daemon is not connected to ${where} (see its log)`,
        };
  }
  const started = Date.now();
  let client: mqtt.MqttClient | undefined;
  try {
    client = await mqtt.connectAsync(
      config.mqttUrl,
      {
        clientId: config.agentId ?? `hashinsight-doctor-${process.pid}`,
        ...(config.mqttUsername === undefined ? {} : { username: config.mqttUsername }),
        ...(config.mqttPassword === undefined ? {} : { password: config.mqttPassword }),
        clean: true,
        reconnectPeriod: 0,
        connectTimeout: 5000,
      },
      false,
    );
    const login =
      config.mqttUsername === undefined ? 'without a login (not enrolled)' : `as ${config.mqttUsername}`;
    return {
      name: 'broker',
      status: config.mqttUsername === undefined ? 'WARN' : 'PASS',
      reason: `connected to ${where} ${login} in ${Date.now() - started} ms`,
    };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason =
      typeof code === 'number'
        ? `${where} refused the login (CONNACK ${code}: ${(error as Error).message.slice(0, 80)})`
        : `cannot reach ${where} (${errorCode(error).slice(0, 80)})`;
    return { name: 'broker', status: 'FAIL', reason };
  } finally {
    await client?.endAsync(true).catch(() => undefined);
  }
}

/** Can the agent reach the cloud over HTTP, and does its clock agree with the cloud's (the Date header)? */
export async function checkCloud(config: AgentConfig): Promise<CheckResult[]> {
  if (config.cloudUrl === undefined) {
    const reason = 'no cloud URL: enroll (`hashinsight-agent enroll`) or set cloudUrl';
    return [
      { name: 'cloud', status: 'WARN', reason },
      { name: 'clock', status: 'WARN', reason: 'not checked: no cloud to compare with' },
    ];
  }
  const url = `${config.cloudUrl.replace(/\/$/, '')}/healthz`;
  const sent = Date.now();
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(5000), redirect: 'manual' });
    await response.arrayBuffer();
  } catch (error) {
    const reason = `cannot reach ${masked(config.cloudUrl)} (${errorCode(error).slice(0, 80)})`;
    return [
      { name: 'cloud', status: 'FAIL', reason },
      { name: 'clock', status: 'WARN', reason: 'not checked: the cloud did not answer' },
    ];
  }
  const received = Date.now();
  const cloud: CheckResult = response.ok
    ? {
        name: 'cloud',
        status: 'PASS',
        reason: `${masked(config.cloudUrl)} answered in ${received - sent} ms`,
      }
    : {
        name: 'cloud',
        status: 'FAIL',
        reason: `${masked(config.cloudUrl)} answered HTTP ${response.status}`,
      };
  const date = Date.parse(response.headers.get('date') ?? '');
  if (Number.isNaN(date))
    return [cloud, { name: 'clock', status: 'WARN', reason: 'the cloud sent no Date header' }];
  // The Date header has whole seconds: compare with the middle of the round trip and forgive up to one second.
  const raw = date - (sent + received) / 2;
  const skew = Math.sign(raw) * Math.max(0, Math.abs(raw) - 1000);
  const text =
    Math.abs(skew) < 50
      ? "in step with the cloud (to the Date header's second)"
      : `${skew >= 0 ? 'behind' : 'ahead of'} the cloud by ${(Math.abs(skew) / 1000).toFixed(1)} s`;
  const status: Verdict =
    Math.abs(skew) >= SKEW_FAIL_MS ? 'FAIL' : Math.abs(skew) >= SKEW_WARN_MS ? 'WARN' : 'PASS';
  const advice = status === 'PASS' ? '' : ': sync the clock (NTP); signed commands expire by it';
  return [cloud, { name: 'clock', status, reason: `this box is ${text}${advice}` }];
}

interface StoreFacts {
  miners: Array<{ ip: string; port: number }>;
  outboxBytes: number;
  gapsPending: number;
}

/** What the store knows, read-only; undefined before the agent's first run. */
export function readStore(config: AgentConfig): StoreFacts | undefined {
  let db: ReturnType<typeof openStoreReadOnly>;
  try {
    db = openStoreReadOnly(config.dataDir);
  } catch (error) {
    if (error instanceof StoreUnavailable) return undefined;
    throw error;
  }
  try {
    const miners = new Inventory(db).list().map(({ ip, port }) => ({ ip, port }));
    const sum = (sql: string) => (db.prepare<[], { n: number }>(sql).get()?.n ?? 0) as number;
    // Samples still in the first schema's per-sample outbox count too, until the store moves them over.
    const outboxBytes =
      sum('SELECT coalesce(sum(bytes), 0) AS n FROM outbox_batch') +
      sum('SELECT coalesce(sum(length(sample)), 0) AS n FROM outbox');
    return { miners, outboxBytes, gapsPending: sum('SELECT count(*) AS n FROM outbox_gap') };
  } finally {
    db.close();
  }
}

/** The outbox against its budget, and the disk under the data dir against what the budget may still take. */
export async function checkDisk(config: AgentConfig, store: StoreFacts | undefined): Promise<CheckResult> {
  let free: number;
  let dir = config.dataDir;
  for (;;) {
    try {
      const stats = await statfs(dir);
      free = stats.bavail * stats.bsize;
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(dir) === dir) {
        return {
          name: 'disk',
          status: 'FAIL',
          reason: `cannot inspect ${config.dataDir} (${errorCode(error)})`,
        };
      }
      dir = dirname(dir); // not created yet: the disk it will be on
    }
  }
  const used = store?.outboxBytes ?? 0;
  const budget = config.outboxMaxBytes;
  const facts = `outbox ${size(used)} of ${size(budget)} budget, ${size(free)} free on disk`;
  if (free < MIN_FREE_BYTES)
    return { name: 'disk', status: 'FAIL', reason: `${facts}: the store cannot grow` };
  if (store !== undefined && store.gapsPending > 0) {
    return {
      name: 'disk',
      status: 'WARN',
      reason: `${facts}; ${store.gapsPending} dropped ranges not yet reported`,
    };
  }
  if (used >= budget * 0.9) {
    return { name: 'disk', status: 'WARN', reason: `${facts}: nearly full, the oldest batches go next` };
  }
  if (free < budget - used) {
    return { name: 'disk', status: 'WARN', reason: `${facts}: the disk fills before the budget does` };
  }
  return { name: 'disk', status: 'PASS', reason: facts };
}

function tcpReachable(ip: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: ip, port, timeout: timeoutMs });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

/** Does every known miner (inventory and configured list) accept a TCP connection on its API port? */
export async function checkMiners(config: AgentConfig, store: StoreFacts | undefined): Promise<CheckResult> {
  const targets = new Map<string, number>();
  for (const ip of config.miners) targets.set(ip, config.minerPort);
  for (const miner of store?.miners ?? []) targets.set(miner.ip, miner.port);
  if (targets.size === 0) {
    return {
      name: 'miners',
      status: 'WARN',
      reason: 'no miners known: run `hashinsight-agent scan <cidr>` or set scanTargets',
    };
  }
  const entries = [...targets];
  const reachable = new Array<boolean>(entries.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < entries.length; i = next++) {
      const [ip, port] = entries[i] as [string, number];
      reachable[i] = await tcpReachable(ip, port, config.scanTimeoutMs);
    }
  };
  await Promise.all(Array.from({ length: Math.min(config.scanConcurrency, 256, entries.length) }, worker));
  const down = entries.filter((_, i) => !reachable[i]).map(([ip, port]) => `${ip}:${port}`);
  const summary = `${entries.length - down.length} of ${entries.length} answer on their API port`;
  if (down.length === 0) return { name: 'miners', status: 'PASS', reason: summary };
  const list = `${down.slice(0, 5).join(', ')}${down.length > 5 ? `, … ${down.length - 5} more` : ''}`;
  return {
    name: 'miners',
    status: down.length === entries.length ? 'FAIL' : 'WARN',
    reason: `${summary}; down: ${list}`,
  };
}
