// `npm run bench -- portal`: Portal Lite throughput and latency for one hosting client with 10,000 miners, and
// the ROI heatmap's computation time for a 100 × 100 grid. The cloud runs in a child process (its own event
// loop, as in production); this process is the load generator: an undici Pool on loopback driven closed-loop by
// CONCURRENCY workers (each sends its next request when its previous answer is read).
import { fork } from 'node:child_process';
import { runLoad } from './portal/load.ts';
import { serve } from './portal/server.ts';

interface Ready {
  url: string;
  apiKey: string;
  label: string;
  history: { fromMs: number; toMs: number };
}

if (process.env.HASHINSIGHT_PORTAL_BENCH_ROLE === 'server') {
  await serve();
  process.exit(0);
} else {
  const child = fork(new URL(import.meta.url).pathname, [], {
    env: { ...process.env, HASHINSIGHT_PORTAL_BENCH_ROLE: 'server' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const ready = await new Promise<Ready>((resolve, reject) => {
      child.once('message', (message) => resolve(message as Ready));
      child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
    });
    await runLoad(ready.url, ready.apiKey, ready.label, ready.history);
  } finally {
    child.kill('SIGTERM');
    // The server drops its throwaway database and temp dir before it exits.
    if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
  }
}
