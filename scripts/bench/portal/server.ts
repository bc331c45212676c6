// The bench's server process: a cloud (SQLite in a temp dir, or PostgreSQL when DATABASE_URL is set) holding one
// customer with 10,000 miners (50 agents × 200), each with a latest sample, and 24 hourly rollups per miner.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { Db } from '@hashinsight/cloud';
import { sql } from 'kysely';
import { benchMinerRows, benchTenant, insertBenchAgent, startBenchCloud } from '../cloud/fleet.ts';
import { withThrowawayPostgres } from '../cloud/throwaway-postgres.ts';

export const AGENTS = 50;
export const MINERS_PER_AGENT = 200;
const HOURS = 24;
export const API_KEY = `hik_portalbench_${'b'.repeat(24)}`;

/**
 * The 24 hours of rollups: three days back, out of reach of the rollup jobs' lookback (the 1 d job recomputes two
 * days from the hourly rows, which with 10,000 miners blocks SQLite's event loop for seconds — a telemetry cost,
 * not the portal's, and one this bench keeps out of its figures).
 */
export function historyWindow(now: number): { fromMs: number; toMs: number } {
  const fromMs = Math.floor(now / 3_600_000) * 3_600_000 - 72 * 3_600_000;
  return { fromMs, toMs: fromMs + HOURS * 3_600_000 };
}

export async function seed(db: Db, now: number): Promise<void> {
  const { tenantId, ownerId } = await benchTenant(db);
  const customerId = 'bench-customer';
  await db
    .insertInto('site')
    .values({
      id: 'bench-site',
      tenant_id: tenantId,
      name: 'Bench',
      location: '',
      timezone: 'UTC',
      created_at: now,
    })
    .execute();
  await db
    .insertInto('customer')
    .values({ id: customerId, tenant_id: tenantId, name: 'Bench client', contact_email: '', created_at: now })
    .execute();
  await db
    .insertInto('api_key')
    .values({
      id: 'bench-key',
      tenant_id: tenantId,
      name: 'portal bench',
      role: 'customer',
      customer_id: customerId,
      key_hash: createHash('sha256').update(API_KEY).digest('hex'),
      prefix: API_KEY.slice(0, 10),
      created_by: ownerId,
      created_at: now,
      revoked_at: null,
    })
    .execute();
  const { fromMs } = historyWindow(now);
  for (let a = 0; a < AGENTS; a++) {
    const agentId = `bench-agent-${a}`;
    await insertBenchAgent(db, { id: agentId, tenantId, siteId: 'bench-site', at: now });
    const miners = [];
    const latest = [];
    const rollups = [];
    for (let m = 0; m < MINERS_PER_AGENT; m++) {
      const n = a * MINERS_PER_AGENT + m;
      const id = `m${String(m).padStart(3, '0')}`;
      // Seen within the last minute: fresh, so each keeps the status it reported.
      const rows = benchMinerRows({
        tenantId,
        siteId: 'bench-site',
        customerId,
        agentId,
        agent: a,
        miner: m,
        n,
        id,
        firstSeenAt: now - 86_400_000,
        seenAt: now - (n % 60) * 1000,
      });
      miners.push(rows.miner);
      latest.push(rows.latest);
      for (let h = 1; h <= HOURS; h++) {
        rollups.push({
          resolution: '1h' as const,
          agent_id: agentId,
          miner_id: id,
          bucket_ms: fromMs + (h - 1) * 3_600_000,
          sample_count: 60,
          online_count: n % 9 === 8 ? 50 : 60,
          hashrate_sum_mhs: rows.hashrate * 60,
          hashrate_expected_sum_mhs: 110_000_000 * 60,
          power_sum_w: 3000 * 60,
          power_count: 60,
          chip_temp_max_dc: 700,
          board_temp_max_dc: 600,
        });
      }
    }
    await db.insertInto('miner').values(miners).execute();
    await db.insertInto('miner_latest').values(latest).execute();
    for (let i = 0; i < rollups.length; i += 500)
      await db
        .insertInto('miner_rollup')
        .values(rollups.slice(i, i + 500))
        .execute();
  }
}

/** Serves on SQLite, or with DATABASE_URL on a throwaway database of that server (never the database it names). */
export async function serve(): Promise<void> {
  if (process.env.DATABASE_URL) {
    await withThrowawayPostgres('hashinsight_bench_portal', (url) => serveOn(url));
    return;
  }
  await serveOn(undefined);
}

async function serveOn(databaseUrl: string | undefined): Promise<void> {
  const dir = mkdtempSync(join(os.tmpdir(), 'hashinsight-bench-portal-'));
  const { cloud, db } = await startBenchCloud(dir, databaseUrl, {
    // The load comes from one client: its per-client limit (1,200 a minute by default) must not be what is measured.
    portalRatePerMinute: 10_000_000,
  });
  const started = performance.now();
  const now = Date.now();
  await seed(db, now);
  if (databaseUrl !== undefined) await sql`analyze`.execute(db);
  const label = databaseUrl === undefined ? 'SQLite' : 'PostgreSQL';
  console.log(
    `portal bench: ${label}, ${AGENTS * MINERS_PER_AGENT} miners of one customer stored in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  process.send?.({ url: cloud.httpUrl, apiKey: API_KEY, label, history: historyWindow(now) });
  // Serves until the load generator is done (it sends SIGTERM or goes away), then cleans up.
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('disconnect', () => resolve());
  });
  await cloud.close();
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
}
