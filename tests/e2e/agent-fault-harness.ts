// Shared parts of the agent fault tests (agent-*.test.ts): the real cloud on the embedded aedes broker or a
// private Mosquitto, a real agent process (agent-writer.ts) that can be killed with SIGKILL, an MQTT-aware TCP
// proxy between them that can cut the link, duplicate and reorder telemetry, and the checker: every committed
// sample stored, none applied twice, both SQLite files intact.
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { mosquittoMissing, startMosquitto, tempDir, waitFor } from '@hashinsight/testkit';
import Database from 'better-sqlite3';
import tap, { type Test } from 'tap';
import { enrollAgent, login, startSilentCloud, testCloudConfig } from './cloud-harness.js';
import { type ProxyPair, pairWithBroker, splitPackets } from './mqtt-packets.js';

const EMAIL = 'owner@faults.test';
const INFRA = resolve(import.meta.dirname, '../../infra/mosquitto');
const WRITER = join(import.meta.dirname, 'agent-writer.ts');
export const BASE_MS = 1_795_000_000_000;

export type BrokerMode = 'aedes' | 'mosquitto';

/**
 * A fault test, run once per broker (`name (mode)`; the Mosquitto one skips without the binary): `body` gets the
 * system started on that broker and the ingest counters before anything was sent.
 */
export function testEachBroker(
  name: string,
  body: (t: Test, system: FaultSystem, before: { stored: number; duplicates: number }) => Promise<void>,
): void {
  for (const mode of ['aedes', 'mosquitto'] as BrokerMode[]) {
    void tap.test(
      `${name} (${mode})`,
      { skip: mode === 'mosquitto' && mosquittoMissing, timeout: 60_000 },
      async (t) => {
        const system = await startFaultSystem(t, mode);
        await body(t, system, await system.metrics());
      },
    );
  }
}

/** The pid of the process listening on loopback `port` (our own Mosquitto), from /proc. */
function listenerPid(port: number): number {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  const line = readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .find((l) => l.includes(`:${hex} `) && l.trim().split(/\s+/)[3] === '0A');
  const inode = line?.trim().split(/\s+/)[9];
  if (!inode) throw new Error(`nothing listens on ${port}`);
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) === `socket:[${inode}]`) return Number(pid);
      }
    } catch {
      // not ours to read
    }
  }
  throw new Error(`no process owns the listener on ${port}`);
}

/** The real cloud, and the broker the agent reaches through a proxy. */
async function startFaultSystem(t: Test, mode: BrokerMode) {
  const dir = tempDir(t);
  let mosquitto: { port: number; cloudUrl: string } | undefined;
  if (mode === 'mosquitto') mosquitto = await startMosquitto(t, INFRA);
  // A Mosquitto restarted by brokerOutage; registered before the cloud, so it stops after the cloud has closed.
  let extraMosquitto: ChildProcess | undefined;
  t.teardown(async () => {
    if (!extraMosquitto || extraMosquitto.exitCode !== null) return;
    const exited = new Promise((done) => extraMosquitto?.once('exit', done));
    extraMosquitto.kill('SIGTERM');
    await exited;
  });
  const cloudConfig = (mqttPort: number) =>
    testCloudConfig(join(dir, 'cloud'), EMAIL, {
      mqttPort,
      ...(mosquitto ? { mqttUrl: mosquitto.cloudUrl } : {}),
    });
  let cloud = await startSilentCloud(cloudConfig(0));
  const mqttPort = mosquitto?.port ?? cloud.mqttPort;
  const closeCloud = () => cloud.close();
  t.teardown(() => closeCloud());
  const enrolled = await enrollAgent(cloud, await login(cloud, EMAIL), 'faults');
  const proxy = await startProxy(mqttPort);
  t.teardown(() => proxy.close());

  const metric = async (name: string) => {
    const text = await fetch(`${cloud.httpUrl}/metrics`).then((r) => r.text());
    return Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? Number.NaN);
  };

  return {
    agentId: enrolled.agentId,
    credentials: enrolled.mqtt,
    proxy,
    agentDir: join(dir, 'agent'),
    cloudDb: join(dir, 'cloud', 'cloud.sqlite'),
    metrics: async () => ({
      stored: await metric('hashinsight_ingest_samples_stored'),
      duplicates: await metric('hashinsight_ingest_samples_duplicate'),
    }),
    /** Takes the broker itself down for `ms`: the cloud with its embedded aedes, or the Mosquitto process. */
    async brokerOutage(ms: number, during: () => Promise<void> = async () => {}) {
      if (mode === 'aedes') {
        await cloud.close();
        await during();
        await new Promise((r) => setTimeout(r, ms));
        cloud = await startSilentCloud(cloudConfig(mqttPort));
        return;
      }
      const pid = listenerPid(mqttPort);
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      process.kill(pid, 'SIGTERM');
      await waitFor('mosquitto gone', () => {
        try {
          process.kill(pid, 0);
          return undefined;
        } catch {
          return true;
        }
      });
      await during();
      await new Promise((r) => setTimeout(r, ms));
      extraMosquitto = spawn(cmdline[0] as string, cmdline.slice(1), { stdio: 'ignore' });
    },
  };
}

export type FaultSystem = Awaited<ReturnType<typeof startFaultSystem>>;

/** A running agent-writer process and what it has said. */
export interface Writer {
  child: ChildProcess;
  run: number;
  /** Samples committed (reported), the latest backlog and link state, and whether all is acked. */
  committed: number;
  lines: string[];
  backlog: number;
  inFlight: number;
  link: 'up' | 'down' | undefined;
  linkChanges: string[];
  done: boolean;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startWriter(
  t: Test,
  system: FaultSystem,
  run: number,
  count: number,
  { perAppend = 20, everyMs = 20 } = {},
): Writer {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER], {
    env: {
      ...process.env,
      W_RUN: String(run),
      W_COUNT: String(count),
      W_PER_APPEND: String(perAppend),
      W_EVERY_MS: String(everyMs),
      W_DATA_DIR: system.agentDir,
      W_AGENT_ID: system.agentId,
      W_MQTT_URL: system.proxy.url,
      W_MQTT_USERNAME: system.credentials.username,
      W_MQTT_PASSWORD: system.credentials.password,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const writer: Writer = {
    child,
    run,
    committed: 0,
    lines: [],
    backlog: 0,
    inFlight: 0,
    link: undefined,
    linkChanges: [],
    done: false,
    exited: new Promise((done) => child.once('exit', (code, signal) => done({ code, signal }))),
  };
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await writer.exited;
    }
  });
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    const [kind, a, b] = line.split(' ');
    if (kind === 'C') {
      writer.committed = Number(a);
      writer.backlog = Number(b);
    } else if (kind === 'S') {
      writer.backlog = Number(a);
      writer.inFlight = Number(b);
    } else if (kind === 'L') {
      writer.link = a as 'up' | 'down';
      writer.linkChanges.push(a as string);
    } else if (kind === 'D') {
      writer.done = true;
      writer.backlog = 0;
    }
  });
  return writer;
}

/** Stops a writer cleanly (SIGTERM: clean death, store closed). */
export async function stopWriter(writer: Writer): Promise<void> {
  writer.child.kill('SIGTERM');
  const { code } = await writer.exited;
  if (code !== 0) throw new Error(`writer exited ${code}`);
}

/**
 * The checker. `runs` are the writers that ran, in order. Every sample a writer reported committed must be
 * stored by the cloud; a stored sample nobody reported may only be the one append a killed writer committed
 * without living to say so; the cloud applied no sample twice; both databases pass integrity_check.
 */
export async function checkDelivery(
  t: Test,
  system: FaultSystem,
  runs: Writer[],
  before: { stored: number; duplicates: number },
  perAppend = 20,
  /** Set where a known ingest weakness may re-apply samples (see the reorder test); the assertion becomes a todo. */
  reapplyTodo?: string,
): Promise<void> {
  const db = new Database(system.cloudDb, { readonly: true });
  const stored = (
    db.prepare('SELECT time_ms FROM miner_sample WHERE agent_id = ?').all(system.agentId) as Array<{
      time_ms: number;
    }>
  ).map((r) => Number(r.time_ms) - BASE_MS);
  t.equal(db.pragma('integrity_check', { simple: true }), 'ok', 'cloud database integrity ok');
  db.close();
  const storedSet = new Set(stored);
  let lost = 0;
  let unexplained = 0;
  for (const writer of runs) {
    for (let n = 1; n <= writer.committed; n++) if (!storedSet.has(writer.run * 1_000_000 + n)) lost += 1;
  }
  for (const value of storedSet) {
    const writer = runs.find((w) => w.run === Math.floor(value / 1_000_000));
    const n = value % 1_000_000;
    const killed = writer?.child.signalCode === 'SIGKILL';
    if (!writer || (n > writer.committed && !(killed && n <= writer.committed + perAppend))) unexplained += 1;
  }
  const after = await system.metrics();
  const applied = after.stored - before.stored;
  const committed = runs.reduce((sum, w) => sum + w.committed, 0);
  t.equal(lost, 0, `lost 0 of ${committed} committed samples`);
  t.equal(unexplained, 0, 'nothing stored that the agent did not commit');
  t.equal(stored.length, storedSet.size, 'each sample stored once');
  t.equal(
    applied - storedSet.size,
    0,
    `duplicated after dedup 0 (${applied} applied, ${storedSet.size} distinct)`,
    reapplyTodo ? { todo: reapplyTodo } : {},
  );
  const agentDb = new Database(join(system.agentDir, 'agent.sqlite'), { readonly: true });
  t.equal(agentDb.pragma('integrity_check', { simple: true }), 'ok', 'agent store integrity ok');
  agentDb.close();
}

/**
 * An MQTT 3.1.1-aware TCP proxy from the agent to the broker. It can refuse the link (cut), and duplicate or hold
 * back (reorder) the agent's telemetry PUBLISH packets; a duplicate travels with a packet id of its own, whose
 * PUBACK the proxy swallows, so the agent's MQTT session never sees it.
 */
export async function startProxy(targetPort: number) {
  const pairs = new Set<ProxyPair>();
  const state = {
    cut: false,
    duplicateEvery: 0,
    reorderEvery: 0,
    telemetry: 0,
    duplicated: 0,
    reordered: 0,
    refused: 0,
  };
  const server: Server = createServer({ noDelay: true }, (client) => {
    if (state.cut) {
      state.refused += 1;
      client.destroy();
      return;
    }
    const { broker } = pairWithBroker(client, targetPort, pairs);
    const injectedIds = new Set<number>();
    const recentIds: number[] = [];
    let held: Buffer | undefined;
    let heldTimer: NodeJS.Timeout | undefined;
    const freeId = () => {
      for (let id = 65_535; id > 1; id--) if (!recentIds.includes(id) && !injectedIds.has(id)) return id;
      return 65_535;
    };
    splitPackets(client, (packet) => {
      const type = (packet[0] ?? 0) >> 4;
      const qos = ((packet[0] ?? 0) >> 1) & 3;
      if (type !== 3 || qos !== 1) return void broker.write(packet);
      const { topicEnd } = publishLayout(packet);
      const topic = packet.subarray(topicEnd.start, topicEnd.end).toString();
      const id = packet.readUInt16BE(topicEnd.end);
      recentIds.push(id);
      if (recentIds.length > 512) recentIds.shift();
      if (!topic.endsWith('/telemetry')) return void broker.write(packet);
      state.telemetry += 1;
      if (state.reorderEvery > 0 && state.telemetry % state.reorderEvery === 0 && held === undefined) {
        held = Buffer.from(packet); // goes after the next telemetry packet (or 300 ms)
        heldTimer = setTimeout(() => {
          if (held) broker.write(held);
          held = undefined;
        }, 300);
        return;
      }
      broker.write(packet);
      if (held) {
        clearTimeout(heldTimer);
        broker.write(held);
        held = undefined;
        state.reordered += 1;
      }
      if (state.duplicateEvery > 0 && state.telemetry % state.duplicateEvery === 0) {
        const copy = Buffer.from(packet);
        const copyId = freeId();
        injectedIds.add(copyId);
        copy.writeUInt16BE(copyId, topicEnd.end);
        setTimeout(() => broker.write(copy), 50);
        state.duplicated += 1;
      }
    });
    splitPackets(broker, (packet) => {
      if ((packet[0] ?? 0) >> 4 === 4 && packet.length === 4) {
        const id = packet.readUInt16BE(2);
        if (injectedIds.delete(id)) return; // the PUBACK of a copy the agent never sent
      }
      client.write(packet);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no address');
  return {
    url: `mqtt://127.0.0.1:${address.port}`,
    state,
    /** Drops every connection and refuses new ones until restore(). */
    cut() {
      state.cut = true;
      for (const pair of pairs) {
        pair.client.destroy();
        pair.broker.destroy();
      }
    },
    restore() {
      state.cut = false;
    },
    async close() {
      for (const pair of pairs) {
        pair.client.destroy();
        pair.broker.destroy();
      }
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

/** Where a PUBLISH packet's topic lies (MQTT 3.1.1; at QoS 1 the packet id follows it). */
function publishLayout(packet: Buffer) {
  let i = 1;
  while (((packet[i] as number) & 128) !== 0) i++;
  const topicLengthAt = i + 1;
  const topicLength = packet.readUInt16BE(topicLengthAt);
  const start = topicLengthAt + 2;
  const end = start + topicLength;
  return { topicEnd: { start, end } };
}
