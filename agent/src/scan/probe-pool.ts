import { Worker } from 'node:worker_threads';

/**
 * Worker threads that run TCP probes, so a big scan uses more than one core: on loopback or a LAN that answers
 * with resets, a /16 is CPU-bound on socket setup and teardown. Each worker probes a chunk of addresses with its
 * own concurrency and answers which accepted.
 *
 * The worker runs from source (`eval`), plain JavaScript, so it runs the same from the compiled agent and under
 * tsx (where a worker cannot load a .ts file, and a function's text carries the transpiler's helpers). Its probe
 * is tcpProbe (probe.ts) line for line; the scanner's tests compare the two.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { connect } = require('node:net');
function tcpProbe(ip, port, timeoutMs) {
  return new Promise((resolve) => {
    const socket = connect({ host: ip, port });
    const done = (open) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(open);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
parentPort.on('message', async ({ ips, port, timeoutMs, concurrency }) => {
  const open = new Array(ips.length).fill(false);
  let next = 0;
  const lane = async () => {
    while (next < ips.length) {
      const i = next++;
      open[i] = await tcpProbe(ips[i], port, timeoutMs);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, ips.length) }, lane));
  parentPort.postMessage(open);
});
`;

export interface ProbeThread {
  /** Which of `ips` accepted a connection on `port` within `timeoutMs`, in order. */
  probe(ips: string[], port: number, timeoutMs: number, concurrency: number): Promise<boolean[]>;
}

/** `count` probe threads; `close()` ends them. One chunk at a time per thread. */
export function startProbeThreads(count: number): { threads: ProbeThread[]; close(): Promise<void> } {
  const workers = Array.from({ length: count }, () => new Worker(WORKER_SOURCE, { eval: true }));
  const threads = workers.map(
    (worker): ProbeThread => ({
      probe: (ips, port, timeoutMs, concurrency) =>
        new Promise((resolve, reject) => {
          const onError = (error: Error) => reject(error);
          worker.once('error', onError);
          worker.once('message', (open: boolean[]) => {
            worker.off('error', onError);
            resolve(open);
          });
          worker.postMessage({ ips, port, timeoutMs, concurrency });
        }),
    }),
  );
  return {
    threads,
    async close() {
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}
