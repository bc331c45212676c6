// Scan time of 127.1.0.0/16 holding 5,000 simulated miners (served by the simulator in its own process, so its
// CPU is not the agent's): every address probed, every miner identified and read once.
import { availableParallelism } from 'node:os';
import { openFileLimit, startFleetProcess } from '@hashinsight/simulator';
import { scan, tcpProbe } from '../../../agent/src/scan/index.ts';
import { measureSelf, processCpuSeconds } from './process-stats.ts';

const BLOCK = '127.1.0.0/16';
const MINERS = 5000;
const CONCURRENCY = Number(process.env.BENCH_SCAN_CONCURRENCY ?? 512);
/** Probe threads, as `hashinsight-agent scan` uses by default: one per core. */
const THREADS = Number(process.env.BENCH_SCAN_THREADS ?? availableParallelism());

export async function run(): Promise<void> {
  const limit = openFileLimit() ?? 0;
  if (limit < (THREADS + 1) * CONCURRENCY + 256) {
    console.log(
      `scan: skipped, open-file limit ${limit} is too low (ulimit -n ${(THREADS + 1) * CONCURRENCY + 256})`,
    );
    return;
  }
  if (await tcpProbe('127.1.0.1', 4028, 500)) {
    console.log('scan: skipped, something already listens on 127.1.0.1:4028 (a simulator from npm run sim?)');
    return;
  }
  const fleet = await startFleetProcess({ cidr: BLOCK, count: MINERS, seed: 1 });
  try {
    const simCpu = processCpuSeconds(fleet.pid) ?? 0;
    const self = measureSelf();
    const result = await scan({
      targets: [BLOCK],
      concurrency: CONCURRENCY,
      threads: THREADS,
      timeoutMs: 10_000,
    });
    const agent = self.stop();
    const simSeconds = (processCpuSeconds(fleet.pid) ?? 0) - simCpu;
    const identified = result.miners.filter(
      (m) => m.driver === 'antminer-stock' && m.reading.hashrateMhs > 0,
    );
    console.log(
      `scan ${BLOCK}: ${result.probed.toLocaleString('en')} addresses, ${result.miners.length.toLocaleString('en')}` +
        ` of ${MINERS.toLocaleString('en')} miners found (${identified.length} identified and read), ` +
        `${result.unidentified.length} unidentified, concurrency ${CONCURRENCY} per thread, ${THREADS} threads`,
    );
    console.log(
      `  time ${agent.seconds.toFixed(1)} s (${Math.round(result.probed / agent.seconds).toLocaleString('en')} addresses/s); ` +
        `agent CPU ${agent.cpuSeconds.toFixed(1)} s (${agent.cpuPct.toFixed(0)}% of a core), peak RSS ${agent.peakRssMb.toFixed(0)} MB; ` +
        `simulator CPU ${simSeconds.toFixed(1)} s`,
    );
  } finally {
    await fleet.close();
  }
}
