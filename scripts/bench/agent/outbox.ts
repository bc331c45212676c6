// `npm run bench -- agent outbox`: bytes per sample in the agent's outbox on disk (payload and whole SQLite file)
// and the append cost, for a 5,000-miner site polled every 60 s (83 samples an append, one append a second) and a
// 10,000-miner site every 10 s (1,000 an append). Samples: real simulator readings carried forward in time.
import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentStore } from '@hashinsight/agent';
import { fleetTemplates, siteSecond } from './samples.ts';

const START_MS = Date.UTC(2026, 0, 1);

async function measure(label: string, miners: number, intervalS: number, seconds: number) {
  const fleet = await fleetTemplates(miners);
  const dir = await mkdtemp(join(tmpdir(), 'bench-outbox-'));
  try {
    const store = new AgentStore(dir, () => START_MS);
    let samples = 0;
    let appendMs = 0;
    for (let s = 0; s < seconds; s++) {
      const batch = siteSecond(fleet, s, intervalS, START_MS);
      const t0 = performance.now();
      store.append(batch);
      appendMs += performance.now() - t0;
      samples += batch.length;
    }
    const stats = store.outboxStats();
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    store.close();
    const file = statSync(join(dir, 'agent.sqlite')).size;
    console.log(
      `agent outbox ${label}: ${samples.toLocaleString('en')} samples in ${stats.batches.toLocaleString('en')} rows — ` +
        `payload ${(stats.bytes / samples).toFixed(1)} B/sample, SQLite file ${(file / samples).toFixed(1)} B/sample ` +
        `(${(file / 2 ** 20).toFixed(1)} MiB); append ${((appendMs * 1000) / samples).toFixed(1)} µs/sample ` +
        '(check, pack, brotli, one synchronous=FULL commit per append)',
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  await measure('5,000 miners @ 60 s, 1 h', 5000, 60, 3600);
  await measure('10,000 miners @ 10 s, 2 min', 10_000, 10, 120);
}
