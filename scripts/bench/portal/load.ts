// The load generator: closed-loop workers over one undici Pool on loopback, one scenario at a time.
import { timeHeatmap } from '@hashinsight/profitability';
import { Pool } from 'undici';
import { AGENTS, MINERS_PER_AGENT } from './server.ts';

const CONCURRENCY = 32;
const WARM_UP_MS = 1_000;
const MEASURE_MS = 5_000;
const HEATMAP_HTTP_RUNS = 30;
const SEQUENTIAL_N = 300;

interface Outcome {
  requests: number;
  failed: number;
  statuses: Map<number, number>;
  latencies: number[];
}

/** CONCURRENCY workers each sending `next()` until the time is up; only answers after the warm-up count. */
async function closedLoop(
  pool: Pool,
  headers: Record<string, string>,
  next: () => { path: string; headers?: Record<string, string> },
): Promise<Outcome & { seconds: number }> {
  const outcome: Outcome = { requests: 0, failed: 0, statuses: new Map(), latencies: [] };
  const start = performance.now();
  const measureFrom = start + WARM_UP_MS;
  const end = measureFrom + MEASURE_MS;
  const worker = async () => {
    while (performance.now() < end) {
      const request = next();
      const sent = performance.now();
      try {
        const response = await pool.request({
          method: 'GET',
          path: request.path,
          headers: { ...headers, ...request.headers },
        });
        await response.body.dump();
        if (sent < measureFrom) continue;
        outcome.requests++;
        outcome.statuses.set(response.statusCode, (outcome.statuses.get(response.statusCode) ?? 0) + 1);
        if (response.statusCode !== 200 && response.statusCode !== 304) outcome.failed++;
        outcome.latencies.push(performance.now() - sent);
      } catch {
        if (sent >= measureFrom) {
          outcome.requests++;
          outcome.failed++;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { ...outcome, seconds: (performance.now() - measureFrom) / 1000 };
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

function report(name: string, outcome: Outcome & { seconds: number }): void {
  const sorted = [...outcome.latencies].sort((a, b) => a - b);
  const statuses = [...outcome.statuses].map(([status, count]) => `${status}×${count}`).join(' ');
  console.log(
    `  ${name.padEnd(40)} ${(outcome.requests / outcome.seconds).toFixed(0).padStart(6)} req/s  p50 ${quantile(sorted, 0.5).toFixed(1)} ms  p99 ${quantile(sorted, 0.99).toFixed(1)} ms  (${outcome.requests} requests, ${outcome.failed} failed; ${statuses})`,
  );
}

async function json(pool: Pool, path: string, headers: Record<string, string>) {
  const response = await pool.request({ method: 'GET', path, headers });
  if (response.statusCode !== 200)
    throw new Error(`${path}: ${response.statusCode} ${await response.body.text()}`);
  return {
    etag: response.headers.etag as string,
    body: (await response.body.json()) as { data: Record<string, unknown> },
  };
}

export async function runLoad(
  url: string,
  apiKey: string,
  label: string,
  history: { fromMs: number; toMs: number },
): Promise<void> {
  const window = `from=${new Date(history.fromMs).toISOString()}&to=${new Date(history.toMs).toISOString()}`;
  const pool = new Pool(url, { connections: CONCURRENCY, pipelining: 1 });
  const headers = { authorization: `ApiKey ${apiKey}` };
  try {
    // Every cursor of the 100-miner pages, to spread the paging scenario over the whole list.
    const cursors: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { data: Record<string, unknown> } } = await json(
        pool,
        `/api/v1/portal/miners?limit=100${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`,
        headers,
      );
      cursor = page.body.data.nextCursor as string | null;
      if (cursor !== null) cursors.push(cursor);
    } while (cursor !== null);
    const firstPage = await json(pool, '/api/v1/portal/miners?limit=100', headers);
    console.log(
      `  ${label}: ${cursors.length + 1} pages of 100 miners; ${CONCURRENCY} connections, closed loop, ${MEASURE_MS / 1000} s per scenario after ${WARM_UP_MS / 1000} s warm-up`,
    );
    let i = 0;
    const randomMiner = () => {
      const n = (i++ * 7919) % (AGENTS * MINERS_PER_AGENT);
      return `/api/v1/portal/miners/bench-agent-${Math.floor(n / MINERS_PER_AGENT)}/m${String(n % MINERS_PER_AGENT).padStart(3, '0')}`;
    };
    const scenarios: [string, () => { path: string; headers?: Record<string, string> }][] = [
      ['GET miners (first page of 100)', () => ({ path: '/api/v1/portal/miners?limit=100' })],
      [
        'GET miners (any page, by cursor)',
        () => ({
          path: `/api/v1/portal/miners?limit=100&cursor=${encodeURIComponent(cursors[i++ % cursors.length] as string)}`,
        }),
      ],
      [
        'GET miners, If-None-Match (304)',
        () => ({ path: '/api/v1/portal/miners?limit=100', headers: { 'if-none-match': firstPage.etag } }),
      ],
      ['GET one miner', () => ({ path: randomMiner() })],
      ['GET summary', () => ({ path: '/api/v1/portal/summary' })],
      ['GET hashrate (24 h, hourly)', () => ({ path: `/api/v1/portal/hashrate?resolution=1h&${window}` })],
      ['GET uptime (24 h, SLA 99 %)', () => ({ path: `/api/v1/portal/uptime?sla=99&${window}` })],
      [
        'mixed (miners, miner, summary, 304)',
        () => {
          const k = i++ % 4;
          if (k === 0)
            return {
              path: `/api/v1/portal/miners?limit=100&cursor=${encodeURIComponent(cursors[i % cursors.length] as string)}`,
            };
          if (k === 1) return { path: randomMiner() };
          if (k === 2) return { path: '/api/v1/portal/summary' };
          return { path: '/api/v1/portal/miners?limit=100', headers: { 'if-none-match': firstPage.etag } };
        },
      ],
    ];
    for (const [name, next] of scenarios) report(name, await closedLoop(pool, headers, next));
    // The same requests one at a time: each answer's own service time, without the queueing of 32 in flight.
    for (const [name, next] of scenarios.slice(0, 5)) {
      const times: number[] = [];
      for (let n = 0; n < SEQUENTIAL_N; n++) {
        const request = next();
        const started = performance.now();
        const response = await pool.request({
          method: 'GET',
          path: request.path,
          headers: { ...headers, ...request.headers },
        });
        await response.body.dump();
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      console.log(
        `  one at a time: ${name.padEnd(34)} p50 ${quantile(times, 0.5).toFixed(2)} ms  p99 ${quantile(times, 0.99).toFixed(2)} ms  (${SEQUENTIAL_N} requests)`,
      );
    }

    const timing = timeHeatmap(100, 200);
    console.log(
      `  heatmap 100×100, computation (packages/profitability heatmap): median ${timing.medianMs.toFixed(2)} ms, min ${timing.minMs.toFixed(2)} ms, max ${timing.maxMs.toFixed(2)} ms over ${timing.runs} runs`,
    );
    const axis = (n: number, from: number, to: number) =>
      Array.from({ length: n }, (_, k) => from + ((to - from) * k) / (n - 1));
    const body = JSON.stringify({
      miner_model: 'Antminer S21',
      quantity: 100,
      btc_prices: axis(100, 20_000, 250_000),
      electricity_prices: axis(100, 0, 0.2),
    });
    const times: number[] = [];
    for (let run = 0; run < HEATMAP_HTTP_RUNS; run++) {
      const started = performance.now();
      const response = await pool.request({
        method: 'POST',
        path: '/api/calculate/heatmap',
        headers: { ...headers, 'content-type': 'application/json' },
        body,
      });
      await response.body.dump();
      if (response.statusCode !== 200) throw new Error(`heatmap: ${response.statusCode}`);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    console.log(
      `  heatmap 100×100 through POST /api/calculate/heatmap, one at a time: median ${quantile(times, 0.5).toFixed(1)} ms, p99 ${quantile(times, 0.99).toFixed(1)} ms (${HEATMAP_HTTP_RUNS} runs)`,
    );
  } finally {
    await pool.close();
  }
}
