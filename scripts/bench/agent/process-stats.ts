// CPU and memory figures for the agent benchmarks: this process's own, and a child's from /proc (Linux).
import { readFileSync } from 'node:fs';

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat; undefined off Linux. */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** Measures this process from now on: CPU seconds, share of one core, and peak RSS sampled every 250 ms. */
export function measureSelf() {
  const cpu = process.cpuUsage();
  const started = performance.now();
  let peakRss = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 250);
  return {
    stop() {
      clearInterval(timer);
      const used = process.cpuUsage(cpu);
      const cpuSeconds = (used.user + used.system) / 1e6;
      const seconds = (performance.now() - started) / 1000;
      return { seconds, cpuSeconds, cpuPct: (100 * cpuSeconds) / seconds, peakRssMb: peakRss / 2 ** 20 };
    },
  };
}
