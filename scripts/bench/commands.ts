// `npm run bench -- commands`: remote commands end to end on real parts — the cloud in this process (SQLite,
// embedded broker, silent), AGENTS real agent processes (`hashinsight-agent run`, each enrolled with its own keys,
// its own site) and a simulator process with MINERS virtual Whatsminers on 127.9.0.0/16. Figures:
// 1. round trip: one single-miner command (LED on/off alternately) from POST /api/commands to the target's
//    `succeeded` in GET /api/commands/:id (polled every 10 ms), ROUNDS times one after another: p50, p99, max;
// 2. fan-out: one LED command to every miner (approved by a second operator, rollout raised to the maximum), from
//    the approval to every target dispatched, received and succeeded.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { enroll } from '@hashinsight/agent';
import { BENCH_EMAIL, BENCH_PASSWORD, startBenchCloud } from './cloud/fleet.ts';

const MINERS = Number(process.env.BENCH_COMMAND_MINERS ?? 5000);
const AGENTS = Number(process.env.BENCH_COMMAND_AGENTS ?? 5);
const ROUNDS = Number(process.env.BENCH_COMMAND_ROUNDS ?? 100);
const BLOCK = '127.9.0.0/16';
const SIMULATOR = resolve(import.meta.dirname, '../../packages/simulator/dist/cli.js');
const AGENT_MAIN = resolve(import.meta.dirname, '../../agent/dist/main.js');

interface Target {
  agentId: string;
  minerId: string;
  state: string;
}

const children: ChildProcess[] = [];
const dir = mkdtempSync(join(tmpdir(), 'bench-commands-'));
const { cloud, db } = await startBenchCloud(dir, undefined);

async function call<T>(method: string, path: string, token?: string, body?: unknown, headers = {}) {
  const response = await fetch(`${cloud.httpUrl}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const parsed = (await response.json()) as { success: boolean; data: T };
  if (!parsed.success) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(parsed)}`);
  return parsed.data;
}

const loginAs = async (email: string, password: string) =>
  (await call<{ accessToken: string }>('POST', '/api/auth/login', undefined, { email, password }))
    .accessToken;

/** The nth host of the block (1-based), as the simulator hands them out. */
const host = (n: number) => `127.9.${Math.floor(n / 256)}.${n % 256}`;

function spawnReady(args: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((done, fail) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      if (ready.test(line)) done(child);
    });
    let stderr = '';
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    child.once('exit', (code) => fail(new Error(`${args[0]} exited ${code}: ${stderr.slice(0, 500)}`)));
  });
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;

let keys = 0;
const command = (token: string, body: unknown) =>
  call<{ id: string; requiresApproval: boolean; canonicalHash: string }>(
    'POST',
    '/api/commands',
    token,
    body,
    {
      'idempotency-key': `bench-${++keys}`,
    },
  );

try {
  const owner = await loginAs(BENCH_EMAIL, BENCH_PASSWORD);
  // An operator may send 30 commands a minute: the rounds are shared by enough operators; the owner approves.
  const requesters: string[] = [];
  for (let n = 0; n <= ROUNDS / 25; n++) {
    const email = `operator${n}@example.com`;
    await call('POST', '/api/users', owner, { email, role: 'admin', password: BENCH_PASSWORD });
    requesters.push(await loginAs(email, BENCH_PASSWORD));
  }

  await spawnReady(
    [SIMULATOR, '--cidr', BLOCK, '--count', String(MINERS), '--mix', 'whatsminer:100', '--seed', '6'],
    process.env,
    /simulator ready/,
  );

  // Agents: one site each, a contiguous share of the fleet, polled once an hour (the first poll at start tells
  // the cloud each miner's driver and capabilities).
  const sites = (await call<{ sites: { id: string }[] }>('GET', '/api/sites', owner)).sites;
  const perAgent = Math.ceil(MINERS / AGENTS);
  for (let a = 0; a < AGENTS; a++) {
    const siteId =
      a === 0 && sites[0]
        ? sites[0].id
        : (await call<{ id: string }>('POST', '/api/sites', owner, { name: `Bench ${a}` })).id;
    const { token } = await call<{ token: string }>(
      'POST',
      `/api/sites/${siteId}/enrollment-tokens`,
      owner,
      {},
    );
    const dataDir = join(dir, `agent-${a}`);
    await enroll({ cloudUrl: cloud.httpUrl, token, dataDir, hostname: `bench-${a}`, agentVersion: '0.1.0' });
    const first = a * perAgent + 1;
    const last = Math.min(MINERS, (a + 1) * perAgent);
    await spawnReady(
      [AGENT_MAIN, 'run'],
      {
        ...process.env,
        HASHINSIGHT_DATA_DIR: dataDir,
        HASHINSIGHT_AGENT_MINERS: `${host(first)}-${host(last)}`,
        HASHINSIGHT_AGENT_POLL_INTERVAL_MS: '3600000',
        HASHINSIGHT_AGENT_HEALTH_PORT: '0',
        HASHINSIGHT_LOG_LEVEL: 'info',
      },
      /agent started/,
    );
  }

  const startedMs = Date.now();
  const miners: Target[] = [];
  for (;;) {
    miners.length = 0;
    let cursor: string | null = null;
    do {
      const page: { miners: Array<{ id: string; agentId: string }>; nextCursor: string | null } = await call(
        'GET',
        `/api/miners?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        owner,
      );
      miners.push(...page.miners.map((m) => ({ agentId: m.agentId, minerId: m.id, state: '' })));
      cursor = page.nextCursor;
    } while (cursor);
    if (miners.length >= MINERS) break;
    if (Date.now() - startedMs > 120_000) throw new Error(`only ${miners.length} miners reported`);
    await new Promise((r) => setTimeout(r, 500));
  }
  console.log(
    `commands bench: ${MINERS.toLocaleString('en')} Whatsminers across ${AGENTS} agent processes, all reported in ${((Date.now() - startedMs) / 1000).toFixed(1)} s`,
  );

  // 1. Round trip, one command at a time.
  const rounds: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const miner = miners[(i * 7919) % miners.length] as Target;
    const t0 = performance.now();
    const { id } = await command(requesters[i % requesters.length] as string, {
      type: 'led',
      targets: { miners: [{ agentId: miner.agentId, minerId: miner.minerId }] },
      params: { on: i % 2 === 0 },
    });
    for (;;) {
      const view = await call<{ targets: Target[] }>('GET', `/api/commands/${id}`, owner);
      const state = view.targets[0]?.state ?? '';
      if (state === 'succeeded') break;
      if (['failed', 'timed_out', 'rejected', 'cancelled', 'expired'].includes(state)) {
        throw new Error(`round trip command ${id} ended ${state}`);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    rounds.push(performance.now() - t0);
  }
  rounds.sort((x, y) => x - y);
  console.log(
    `round trip API -> succeeded (LED, ${ROUNDS} sequential): p50 ${percentile(rounds, 50).toFixed(0)} ms, p99 ${percentile(rounds, 99).toFixed(0)} ms, max ${(rounds.at(-1) ?? 0).toFixed(0)} ms`,
  );

  // 2. One command to every miner.
  const t0 = performance.now();
  const created = await command(requesters[0] as string, {
    type: 'led',
    targets: { miners: miners.map((m) => ({ agentId: m.agentId, minerId: m.minerId })) },
    params: { on: true },
    rollout: { perMinute: 10_000 },
  });
  const acceptedMs = performance.now() - t0;
  const t1 = performance.now();
  if (created.requiresApproval) {
    await call('POST', `/api/commands/${created.id}/approve`, owner, {
      canonicalHash: created.canonicalHash,
    });
  }
  const reached: Record<string, number | undefined> = {};
  const past = {
    dispatched: ['dispatched', 'received', 'running', 'succeeded'],
    received: ['received', 'running', 'succeeded'],
    succeeded: ['succeeded'],
  };
  while (reached.succeeded === undefined) {
    const view = await call<{ targets: Target[] }>('GET', `/api/commands/${created.id}`, owner);
    for (const [milestone, states] of Object.entries(past)) {
      if (reached[milestone] === undefined && view.targets.every((x) => states.includes(x.state))) {
        reached[milestone] = performance.now() - t1;
      }
    }
    const ended = view.targets.filter((x) =>
      ['failed', 'timed_out', 'rejected', 'cancelled', 'expired'].includes(x.state),
    );
    if (ended.length > 0) throw new Error(`${ended.length} targets ended ${ended[0]?.state}`);
    if (performance.now() - t1 > 300_000) throw new Error('fan-out not done in 5 minutes');
    await new Promise((r) => setTimeout(r, 100));
  }
  const s = (ms: number | undefined) => `${((ms ?? Number.NaN) / 1000).toFixed(2)} s`;
  console.log(
    `one command to ${miners.length.toLocaleString('en')} miners across ${AGENTS} agents: accepted by the API in ${acceptedMs.toFixed(0)} ms; from the approval, all dispatched ${s(reached.dispatched)}, all received ${s(reached.received)}, all succeeded ${s(reached.succeeded)}`,
  );
} finally {
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(
    children.map((child) =>
      child.exitCode === null ? new Promise((r) => child.once('exit', r)) : undefined,
    ),
  );
  await cloud.close();
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
}
