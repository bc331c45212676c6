import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { Db } from '@hashinsight/cloud';
import { sql } from 'kysely';
import { Pool } from 'undici';
import {
  BENCH_EMAIL,
  BENCH_PASSWORD,
  benchMinerRows,
  benchTenant,
  insertBenchAgent,
  startBenchCloud,
} from './fleet.js';
import { withThrowawayPostgres } from './throwaway-postgres.js';

const AGENTS = 50;
const MINERS_PER_AGENT = 200; // 10,000 miners
const SITES = 5;
const RATE_PER_S = 200;
const WARM_UP_S = 1;
const MEASURE_S = 10;
const CONNECTIONS = 16;
const SEQUENTIAL_N = 300;
/**
 * The API allows 600 requests a minute per user: the load comes from this many users of the tenant (mining_site
 * staff), taking turns, as a busy control room would.
 */
const USERS = 24;
const T0 = Date.UTC(2026, 10, 1);

/** 10,000 miners over 50 agents and 5 sites of the bench owner's tenant, each with a latest sample. */
export async function seedFleet(db: Db): Promise<{ agentId: string; minerId: string }[]> {
  const { tenantId } = await benchTenant(db);
  const siteIds = Array.from({ length: SITES }, (_, i) => `bench-site-${i}`);
  await db
    .insertInto('site')
    .values(
      siteIds.map((id, i) => ({
        id,
        tenant_id: tenantId,
        name: `Bench site ${i}`,
        location: '',
        timezone: 'UTC',
        created_at: T0,
      })),
    )
    .execute();
  const keys: { agentId: string; minerId: string }[] = [];
  for (let a = 0; a < AGENTS; a++) {
    const agentId = `bench-agent-${a}`;
    const siteId = siteIds[a % SITES] as string;
    await insertBenchAgent(db, { id: agentId, tenantId, siteId, at: T0 });
    const miners = [];
    const latest = [];
    for (let m = 0; m < MINERS_PER_AGENT; m++) {
      const minerId = `m${m}`;
      const n = a * MINERS_PER_AGENT + m;
      keys.push({ agentId, minerId });
      const rows = benchMinerRows({
        tenantId,
        siteId,
        customerId: null,
        agentId,
        agent: a,
        miner: m,
        n,
        id: minerId,
        firstSeenAt: T0,
        seenAt: T0 + (n % 600) * 1000,
      });
      miners.push(rows.miner);
      latest.push(rows.latest);
    }
    await db.insertInto('miner').values(miners).execute();
    await db.insertInto('miner_latest').values(latest).execute();
  }
  return keys;
}

interface Result {
  sent: number;
  failed: number;
  latenciesMs: number[];
  statuses: Map<number, number>;
}

/** Sends `next()`'s request RATE_PER_S times a second for WARM_UP_S + MEASURE_S seconds; keeps the measured part. */
async function drive(pool: Pool, tokens: string[], next: () => string): Promise<Result> {
  const result: Result = { sent: 0, failed: 0, latenciesMs: [], statuses: new Map() };
  const interval = 1000 / RATE_PER_S;
  const total = (WARM_UP_S + MEASURE_S) * RATE_PER_S;
  const start = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const scheduled = start + i * interval;
    const wait = scheduled - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const measured = i >= WARM_UP_S * RATE_PER_S;
    const path = next();
    pending.push(
      pool
        .request({ method: 'GET', path, headers: { authorization: `Bearer ${tokens[i % tokens.length]}` } })
        .then(async (response) => {
          await response.body.dump();
          if (!measured) return;
          result.sent++;
          result.statuses.set(response.statusCode, (result.statuses.get(response.statusCode) ?? 0) + 1);
          if (response.statusCode !== 200) result.failed++;
          result.latenciesMs.push(performance.now() - scheduled);
        })
        .catch(() => {
          if (measured) {
            result.sent++;
            result.failed++;
          }
        }),
    );
  }
  await Promise.all(pending);
  return result;
}

/**
 * The same requests one at a time (closed loop, SEQUENTIAL_N of them): each answer's own service time, which
 * the open loop above turns into queueing once the box cannot keep up with RATE_PER_S.
 */
async function sequential(pool: Pool, tokens: string[], next: () => string): Promise<Result> {
  const result: Result = { sent: 0, failed: 0, latenciesMs: [], statuses: new Map() };
  for (let i = 0; i < SEQUENTIAL_N; i++) {
    const started = performance.now();
    const response = await pool.request({
      method: 'GET',
      path: next(),
      headers: { authorization: `Bearer ${tokens[i % tokens.length]}` },
    });
    await response.body.dump();
    result.sent++;
    result.statuses.set(response.statusCode, (result.statuses.get(response.statusCode) ?? 0) + 1);
    if (response.statusCode !== 200) result.failed++;
    result.latenciesMs.push(performance.now() - started);
  }
  return result;
}

function report(name: string, result: Result): void {
  const sorted = [...result.latenciesMs].sort((a, b) => a - b);
  const at = (q: number) =>
    (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN).toFixed(1);
  const statuses = [...result.statuses].map(([status, count]) => `${status}×${count}`).join(' ');
  console.log(
    `   ${name.padEnd(44)} p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms  (${result.sent} requests, ${result.failed} failed; ${statuses})`,
  );
}

async function benchOne(label: string, databaseUrl: string | undefined): Promise<void> {
  const dir = mkdtempSync(join(os.tmpdir(), 'hashinsight-bench-api-'));
  try {
    const { cloud, db } = await startBenchCloud(dir, databaseUrl);
    const pool = new Pool(cloud.httpUrl, { connections: CONNECTIONS, pipelining: 1 });
    try {
      const seeded = performance.now();
      const keys = await seedFleet(db);
      // What autovacuum would do shortly after a bulk load: give the planner the table sizes.
      if (databaseUrl !== undefined) await sql`analyze`.execute(db);
      console.log(
        `   ${label}: ${keys.length} miners stored in ${((performance.now() - seeded) / 1000).toFixed(1)} s`,
      );
      const login = async (email: string) => {
        const response = await pool.request({
          method: 'POST',
          path: '/api/auth/login',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email, password: BENCH_PASSWORD }),
        });
        return ((await response.body.json()) as { data: { accessToken: string } }).data.accessToken;
      };
      const token = await login(BENCH_EMAIL);
      const tokens: string[] = [];
      for (let u = 0; u < USERS; u++) {
        const email = `bench-${u}@example.com`;
        const created = await pool.request({
          method: 'POST',
          path: '/api/users',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ email, role: 'mining_site', password: BENCH_PASSWORD }),
        });
        await created.body.dump();
        if (created.statusCode !== 201 && created.statusCode !== 200)
          throw new Error(`POST /api/users: ${created.statusCode}`);
        tokens.push(await login(email));
      }
      // Cursors of the first 20 pages, so the list is asked for pages throughout the fleet, not only the first.
      const pages = ['/api/miners?limit=100'];
      for (let i = 0; i < 19; i++) {
        const response = await pool.request({
          method: 'GET',
          path: pages[i] as string,
          headers: { authorization: `Bearer ${token}` },
        });
        const { data } = (await response.body.json()) as { data: { nextCursor: string } };
        pages.push(`/api/miners?limit=100&cursor=${data.nextCursor}`);
      }
      let n = 0;
      const endpoints: [string, () => string][] = [
        ['GET /api/miners (100 per page, by IP)', () => pages[n++ % pages.length] as string],
        ['GET /api/fleet/summary', () => '/api/fleet/summary'],
        [
          'GET /api/miners/:agentId/:minerId',
          () => {
            const key = keys[(n++ * 7919) % keys.length] as { agentId: string; minerId: string };
            return `/api/miners/${key.agentId}/${key.minerId}`;
          },
        ],
      ];
      for (const [name, next] of endpoints) {
        report(`${name} at ${RATE_PER_S}/s`, await drive(pool, tokens, next));
        report(`${name} one at a time`, await sequential(pool, tokens, next));
      }
    } finally {
      await pool.close();
      await db.destroy();
      await cloud.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runApiBench(): Promise<void> {
  console.log(
    `2. Fleet API: ${AGENTS * MINERS_PER_AGENT} miners stored; ${RATE_PER_S} requests/s per endpoint for ${MEASURE_S} s after ${WARM_UP_S} s warm-up from ${USERS} users, undici over loopback (${CONNECTIONS} connections), latency from the scheduled send; then ${SEQUENTIAL_N} one at a time`,
  );
  await benchOne('SQLite', undefined);
  await withThrowawayPostgres('hashinsight_bench_api', (url) => benchOne('PostgreSQL', url));
}
