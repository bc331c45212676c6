import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { type Db, ingestTelemetry, migrateToLatest, openDatabase } from '@hashinsight/cloud';
import { ipToBytes, macToBytes, telemetryAckCodec, telemetryBatchCodec } from '@hashinsight/protocol';
import { withThrowawayPostgres } from './throwaway-postgres.js';

const AGENTS = 50;
const MINERS_PER_AGENT = 200; // 10,000 miners
const ROUNDS = { sqlite: 30, postgres: 15 }; // batches per agent: one poll of all its miners each
const T0 = Date.UTC(2026, 10, 1);

function encodedBatches(agent: number, rounds: number): Uint8Array[] {
  const batches: Uint8Array[] = [];
  for (let round = 0; round < rounds; round++) {
    const samples = [];
    for (let m = 0; m < MINERS_PER_AGENT; m++) {
      const minerId = `a${agent}-m${m}`;
      samples.push({
        seq: round * MINERS_PER_AGENT + m + 1,
        minerId,
        // The identity rides along on the first poll only, as the agent sends it.
        identity:
          round === 0
            ? {
                minerId,
                ip: ipToBytes(`10.${agent}.${m >> 8}.${m & 255}`),
                mac: macToBytes(
                  `aa:bb:cc:${agent.toString(16).padStart(2, '0')}:00:${(m & 255).toString(16).padStart(2, '0')}`,
                ),
                vendor: 1,
                model: 'Antminer S19 Pro',
                firmware: 'bmminer 1.0.0',
              }
            : null,
        timeMs: T0 + round * 60_000 + m,
        status: 1,
        hashrateMhs: 110_000_000 + m,
        hashrateAvgMhs: 110_500_000,
        hashrateExpectedMhs: 110_000_000,
        powerW: 3250,
        boards: [0, 1, 2].map((index) => ({
          index,
          hashrateMhs: 36_000_000,
          chipTempDc: 700 + index,
          boardTempDc: 550,
        })),
        fanRpm: [5400, 5520, 5460, 5580],
        pools: [
          {
            url: 'stratum+tcp://pool.example:3333',
            user: 'site.w1',
            status: 1,
            active: true,
            accepted: 4000 + round,
            rejected: 3,
          },
        ],
        uptimeS: 50_000 + round * 60,
      });
    }
    batches.push(
      telemetryBatchCodec.encode({ epoch: 1, samples, oldestUnackedSeq: round * MINERS_PER_AGENT + 1 }),
    );
  }
  return batches;
}

async function seedAgents(db: Db): Promise<void> {
  await db.insertInto('tenant').values({ id: 'bench-tenant', name: 'Bench', created_at: T0 }).execute();
  await db
    .insertInto('site')
    .values({
      id: 'bench-site',
      tenant_id: 'bench-tenant',
      name: 'Bench',
      location: '',
      timezone: 'UTC',
      created_at: T0,
    })
    .execute();
  for (let agent = 0; agent < AGENTS; agent++) {
    await db
      .insertInto('agent')
      .values({
        id: `bench-agent-${agent}`,
        tenant_id: 'bench-tenant',
        site_id: 'bench-site',
        epoch: 1,
        online: 1,
        hostname: '',
        agent_version: '',
        last_seen_at: null,
        created_at: T0,
      })
      .execute();
  }
}

interface Result {
  samples: number;
  batches: number;
  seconds: number;
  batchMs: number[];
  /** CPU time of this process (user + system) while measuring: less sensitive to other load than wall time. */
  cpuSeconds: number;
}

async function measure(db: Db, rounds: number): Promise<Result> {
  await migrateToLatest(db);
  await seedAgents(db);
  const work = Array.from({ length: AGENTS }, (_, agent) => encodedBatches(agent, rounds));
  const bytes = work.flat().reduce((sum, batch) => sum + batch.length, 0);
  console.log(
    `   ${work.flat().length} batches encoded (${(bytes / 1e6).toFixed(1)} MB, ${Math.round(bytes / (AGENTS * rounds * MINERS_PER_AGENT))} bytes/sample)`,
  );
  const batchMs: number[] = [];
  let samples = 0;
  const started = process.hrtime.bigint();
  const cpuBefore = process.cpuUsage();
  await Promise.all(
    work.map(async (batches, agent) => {
      for (const payload of batches) {
        const t = process.hrtime.bigint();
        const batch = telemetryBatchCodec.decode(payload);
        const outcome = await ingestTelemetry(db, `bench-agent-${agent}`, batch, T0 + rounds * 60_000);
        telemetryAckCodec.encode({ epoch: outcome.epoch, upToSeq: outcome.upToSeq });
        samples += outcome.applied;
        batchMs.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  return { samples, batches: batchMs.length, seconds, batchMs, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

function report(name: string, result: Result): void {
  const sorted = [...result.batchMs].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]?.toFixed(0);
  console.log(
    `   ${name}: ${Math.round(result.samples / result.seconds).toLocaleString('en')} samples/s committed ` +
      `(${result.samples.toLocaleString('en')} samples in ${result.seconds.toFixed(2)} s, ${result.batches} batches of ` +
      `${MINERS_PER_AGENT}; batch latency incl. queueing p50 ${at(0.5)} ms, p99 ${at(0.99)} ms; ` +
      `this process ${((result.cpuSeconds / result.samples) * 1e6).toFixed(1)} µs CPU per sample; load ${os.loadavg()[0]?.toFixed(1)})`,
  );
}

export async function runIngestBench(): Promise<void> {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(
    `${os.cpus().length} vCPU ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`,
  );
  console.log(
    `1. Ingest: ${AGENTS} agents x ${MINERS_PER_AGENT} miners, all agents concurrently, each agent in order`,
  );

  const dir = mkdtempSync(join(os.tmpdir(), 'hashinsight-bench-'));
  try {
    console.log(`   SQLite (WAL, synchronous=FULL) in ${dir}`);
    const db = openDatabase({ dataDir: dir });
    try {
      report('SQLite', await measure(db, ROUNDS.sqlite));
    } finally {
      await db.destroy();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  await withThrowawayPostgres('hashinsight_bench', async (url, version) => {
    console.log(`   PostgreSQL ${version} (pool of 10)`);
    const db = openDatabase({ dataDir: '', databaseUrl: url });
    try {
      report('PostgreSQL', await measure(db, ROUNDS.postgres));
    } finally {
      await db.destroy();
    }
  });
}
