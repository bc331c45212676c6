// Poll capacity: how many miners the agent sustains at a 10 s interval with p99 lag (poll start less its due
// time) under 1 s, with the agent's CPU and RSS. The miners are simulated in their own process on 127.2.0.0/16;
// the agent side is the real poller: driver reads over TCP, inventory upserts and outbox appends to SQLite once a
// second. Steps of 2,500, 5,000 and 10,000 miners (BENCH_POLL_STEPS to change), each measured for 40 s after one
// interval of warm-up.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Reading } from '@hashinsight/miners';
import { openFileLimit, startFleetProcess } from '@hashinsight/simulator';
import pino from 'pino';
import { Inventory } from '../../../agent/src/inventory/index.ts';
import { driverReader, Poller } from '../../../agent/src/poll/index.ts';
import { tcpProbe } from '../../../agent/src/scan/index.ts';
import { AgentStore } from '../../../agent/src/store/index.ts';
import { measureSelf, processCpuSeconds } from './process-stats.ts';

const BLOCK = '127.2.0.0/16';
const INTERVAL_MS = 10_000;
const WARMUP_MS = INTERVAL_MS + 2000;
const MEASURE_MS = Number(process.env.BENCH_POLL_MEASURE_MS ?? 40_000);
const CONCURRENCY = Number(process.env.BENCH_POLL_CONCURRENCY ?? 128);
const STEPS = (process.env.BENCH_POLL_STEPS ?? '2500,5000,10000').split(',').map(Number);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The miners as a scan would have left them: known addresses and driver, ids still ip- placeholders. */
function seed(inventory: Inventory, count: number): void {
  const now = Date.now();
  inventory.transaction(() => {
    for (let i = 1; i <= count; i++) {
      const reading: Reading = {
        ip: `127.2.${i >> 8}.${i & 255}`,
        vendor: 'bitmain',
        model: 'Antminer S19 Pro',
        firmware: '',
        status: 'ok',
        hashrateMhs: 0,
        hashrateAvgMhs: 0,
        hashrateExpectedMhs: 0,
        boards: [],
        fansRpm: [],
        pools: [],
        uptimeS: 0,
        errors: [],
      };
      inventory.upsertFromReading(reading, 'antminer-stock', 4028, now);
    }
  });
}

async function step(count: number, simPid: number): Promise<boolean> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-poll-'));
  const store = new AgentStore(dir);
  try {
    store.nextEpoch();
    const inventory = new Inventory(store.db);
    seed(inventory, count);
    const poller = new Poller(
      store,
      inventory,
      driverReader({ timeoutMs: 5000, connectTimeoutMs: 2000 }),
      { intervalMs: INTERVAL_MS, jitterPct: 10, concurrency: CONCURRENCY, deadlineMs: 8000 },
      pino({ level: 'silent' }),
    );
    poller.start();
    await sleep(WARMUP_MS);
    poller.lagStats(true);
    const before = poller.stats();
    const simBefore = processCpuSeconds(simPid) ?? 0;
    const self = measureSelf();
    await sleep(MEASURE_MS);
    const agent = self.stop();
    const after = poller.stats();
    const lag = poller.lagStats();
    const simSeconds = (processCpuSeconds(simPid) ?? 0) - simBefore;
    await poller.stop();
    const polls = after.polls - before.polls;
    const failures = after.failures - before.failures;
    const sustained = lag.p99Ms < 1000 && failures === 0;
    // What one core would carry at this cost, for boxes where the agent gets a whole core (this one may be shared).
    const cpuMsPerPoll = (1000 * agent.cpuSeconds) / Math.max(1, polls);
    console.log(
      `poll ${count.toLocaleString('en')} miners @ ${INTERVAL_MS / 1000} s: ${(polls / agent.seconds).toFixed(0)} polls/s ` +
        `(due ${(count / (INTERVAL_MS / 1000)).toFixed(0)}/s), ${failures} failed; lag p50 ${lag.p50Ms.toFixed(0)} ms ` +
        `p99 ${lag.p99Ms.toFixed(0)} ms max ${lag.maxMs.toFixed(0)} ms; agent CPU ${agent.cpuPct.toFixed(0)}% of a core, ` +
        `peak RSS ${agent.peakRssMb.toFixed(0)} MB; simulator CPU ${((100 * simSeconds) / agent.seconds).toFixed(0)}% ` +
        `-> ${sustained ? 'sustained' : 'NOT sustained'}\n` +
        `  agent CPU ${cpuMsPerPoll.toFixed(2)} ms per poll: one whole core ≈ ${Math.floor(1000 / cpuMsPerPoll).toLocaleString('en')} polls/s ` +
        `≈ ${Math.floor((1000 / cpuMsPerPoll) * (INTERVAL_MS / 1000)).toLocaleString('en')} miners @ ${INTERVAL_MS / 1000} s (projection)`,
    );
    return sustained;
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const most = Math.max(...STEPS);
  const limit = openFileLimit() ?? 0;
  if (limit < 2 * CONCURRENCY + 512) {
    console.log(`poll: skipped, open-file limit ${limit} is too low (ulimit -n ${2 * CONCURRENCY + 512})`);
    return;
  }
  if (await tcpProbe('127.2.0.1', 4028, 500)) {
    console.log('poll: skipped, something already listens on 127.2.0.1:4028');
    return;
  }
  const fleet = await startFleetProcess({ cidr: BLOCK, count: most, seed: 2 });
  try {
    let capacity = 0;
    for (const count of STEPS) {
      if (await step(count, fleet.pid)) capacity = count;
    }
    console.log(
      `poll capacity at ${INTERVAL_MS / 1000} s with p99 lag < 1 s: ${capacity > 0 ? `${capacity.toLocaleString('en')} miners` : `under ${STEPS[0]} miners`} of those tried (${STEPS.join(', ')}); concurrency ${CONCURRENCY}`,
    );
  } finally {
    await fleet.close();
  }
}
