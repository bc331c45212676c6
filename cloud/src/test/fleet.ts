// Fleet fixtures for the fleet API tests and the API benchmark: an app over a given database (any dialect),
// and tenants whose agents and miners (with latest samples) are written straight into the tables, as the
// ingest would have left them.
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Test } from 'tap';
import { buildApp } from '../app.js';
import type { Db, MinerDetail } from '../db/index.js';
import { createEmbeddedBroker } from '../plugins/broker.js';
import { captureLogs, JWT_SECRET } from './helpers.js';

/** The app over `db` with a broker that does not listen (no agent can connect), closed when `t` ends. */
export async function buildAppOver(t: Test, db: Db, now?: () => number): Promise<FastifyInstance> {
  const logs = captureLogs();
  const broker = await createEmbeddedBroker(logs.logger, { verifyAgent: async () => false });
  const app = await buildApp({
    db,
    broker,
    jwtSecret: JWT_SECRET,
    logger: logs.logger,
    ...(now ? { now } : {}),
  });
  t.teardown(async () => {
    await app.close();
    await broker.close();
  });
  return app;
}

/** An agent row of a tenant's site (the columns enrollment adds stay null). */
export async function insertAgent(
  db: Db,
  agent: { id: string; tenantId: string; siteId: string },
): Promise<void> {
  await sql`insert into agent (id, tenant_id, site_id, epoch, online, hostname, agent_version, created_at)
    values (${agent.id}, ${agent.tenantId}, ${agent.siteId}, 1, 1, ${`host-${agent.id}`}, '1.0.0', ${Date.now()})`.execute(
    db,
  );
}

export interface MinerSeed {
  agentId: string;
  id: string;
  tenantId: string;
  siteId: string;
  customerId?: string | null;
  ip?: string;
  model?: string;
  lastSeenAt?: number;
  /** Omit for a miner without a sample yet. */
  latest?: {
    status: string;
    hashrateMhs: number;
    hashrateExpectedMhs: number;
    powerW: number | null;
    /** Chip temperatures of the boards, tenths of a degree. */
    chipTempsDc: (number | null)[];
    timeMs?: number;
  };
}

export async function insertMiner(db: Db, miner: MinerSeed): Promise<void> {
  const seen = miner.lastSeenAt ?? 1_795_000_000_000;
  await db
    .insertInto('miner')
    .values({
      agent_id: miner.agentId,
      id: miner.id,
      ip: miner.ip ?? '',
      mac: '',
      serial: `SN-${miner.id}`,
      vendor: 'bitmain',
      model: miner.model ?? 'Antminer S19 Pro',
      firmware: 'bmminer 1.0.0',
      hostname: `host-${miner.id}`,
      first_seen_at: seen - 1000,
      last_seen_at: seen,
      tenant_id: miner.tenantId,
      site_id: miner.siteId,
      customer_id: miner.customerId ?? null,
    })
    .execute();
  const latest = miner.latest;
  if (latest === undefined) return;
  const detail: MinerDetail = {
    boards: latest.chipTempsDc.map((chipTempDc, index) => ({
      index,
      hashrateMhs: Math.round(latest.hashrateMhs / latest.chipTempsDc.length),
      boardTempDc: chipTempDc === null ? null : chipTempDc - 150,
      chipTempDc,
      inletTempDc: null,
      outletTempDc: null,
      chips: 114,
      chipsExpected: 114,
      serial: '',
    })),
    fansRpm: [5400],
    pools: [],
    errors: [],
  };
  await db
    .insertInto('miner_latest')
    .values({
      agent_id: miner.agentId,
      miner_id: miner.id,
      time_ms: latest.timeMs ?? seen,
      status: latest.status,
      hashrate_mhs: latest.hashrateMhs,
      hashrate_avg_mhs: latest.hashrateMhs,
      hashrate_expected_mhs: latest.hashrateExpectedMhs,
      power_w: latest.powerW,
      uptime_s: 3600,
      detail: JSON.stringify(detail),
      poll_error: '',
    })
    .execute();
}
