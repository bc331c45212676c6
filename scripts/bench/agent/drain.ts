// `npm run bench -- agent drain`: backlog drain rate after a simulated 24 h outage of a 5,000-miner site polled
// every 60 s: 7.2 M samples in 86,400 rows of 83, written straight into a real agent store (the rows are packed
// real samples: 2,000 distinct packed rows, renumbered, so generating the day takes seconds rather than the
// half hour of brotli a day of appends costs; the bytes per sample match `agent outbox`). The real CloudSync then
// drains it through a real MQTT broker (aedes, TCP on loopback) to a fast acker (acker.ts) — not the real cloud
// ingest, whose own rate is the `cloud` benchmark's (README: ~18.7 k samples/s on SQLite).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentStore, CloudSync } from '@hashinsight/agent';
import { hashinsight, packSamples } from '@hashinsight/protocol';
import pino from 'pino';
import { startAckerBroker } from './acker.ts';
import { measureSelf } from './process-stats.ts';
import { fleetTemplates, siteSecond } from './samples.ts';

const MINERS = 5000;
const INTERVAL_S = 60;
const OUTAGE_S = 24 * 3600;
const DISTINCT_ROWS = 2000;
const START_MS = Date.UTC(2026, 0, 1);

/** Writes the outage's rows into the store at `dir`; returns the samples written. */
async function fillOutage(dir: string): Promise<{ samples: number; epoch: number; bytes: number }> {
  const fleet = await fleetTemplates(MINERS);
  const packed = Array.from({ length: DISTINCT_ROWS }, (_, s) => {
    const samples = siteSecond(fleet, s, INTERVAL_S, START_MS);
    const block = packSamples(
      samples.map((x) => ({ ...x, seq: 1 })),
      1,
    );
    const times = samples.map((x) => Number(x.timeMs));
    return { block, count: samples.length, oldest: Math.min(...times), newest: Math.max(...times) };
  });
  const store = new AgentStore(dir, () => START_MS);
  const epoch = store.currentEpoch();
  const insert = store.db.prepare(
    `INSERT INTO outbox_batch (epoch, first_seq, last_seq, samples, oldest_time_ms, newest_time_ms, bytes, payload)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  let seq = 1;
  let bytes = 0;
  store.db.transaction(() => {
    for (let s = 0; s < OUTAGE_S; s++) {
      const row = packed[s % DISTINCT_ROWS] as (typeof packed)[number];
      const payload = hashinsight.v1.SampleBlock.encode({ ...row.block, firstSeq: seq }).finish();
      const shift = Math.floor(s / DISTINCT_ROWS) * DISTINCT_ROWS * 1000;
      insert.run(
        epoch,
        seq,
        seq + row.count - 1,
        row.count,
        row.oldest + shift,
        row.newest + shift,
        payload.length,
        payload,
      );
      seq += row.count;
      bytes += payload.length;
    }
    store.db.prepare("UPDATE setting SET value = ? WHERE key = 'last_seq'").run(String(seq - 1));
  })();
  store.close();
  return { samples: seq - 1, epoch, bytes };
}

export async function run(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-drain-'));
  try {
    const t0 = performance.now();
    const outage = await fillOutage(dir);
    console.log(
      `agent drain: ${outage.samples.toLocaleString('en')} samples of a 24 h outage written in ` +
        `${((performance.now() - t0) / 1000).toFixed(1)} s (${(outage.bytes / outage.samples).toFixed(1)} B/sample packed)`,
    );
    const agentId = 'bench-drain-agent';
    const broker = await startAckerBroker(agentId);
    const store = new AgentStore(dir);
    const sync = new CloudSync(
      store,
      { agentId, mqttUrl: broker.url, agentVersion: 'bench', hostname: 'bench', window: 8 },
      pino({ level: 'warn' }),
    );
    const self = measureSelf();
    const started = performance.now();
    sync.start();
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (store.backlog() === 0) {
          clearInterval(timer);
          resolve();
        }
      }, 20);
    });
    const seconds = (performance.now() - started) / 1000;
    const usage = self.stop();
    await sync.stop();
    store.close();
    await broker.close();
    console.log(
      `agent drain: ${broker.counts.samples.toLocaleString('en')} samples in ${broker.counts.batches.toLocaleString('en')} ` +
        `batches drained in ${seconds.toFixed(1)} s = ${Math.round(broker.counts.samples / seconds).toLocaleString('en')} ` +
        `samples/s (window 8, aedes on loopback, fast acker; agent + broker + acker in one process: ` +
        `${usage.cpuPct.toFixed(0)} % of a core, peak RSS ${usage.peakRssMb.toFixed(0)} MiB)`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
