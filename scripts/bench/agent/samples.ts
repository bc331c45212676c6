// Realistic telemetry for the outbox, drain and wire benchmarks: real readings of simulated miners (the mixed
// fleet's personalities, through the real drivers over loopback) turned into samples as the poller does, then
// carried forward in time with the small changes a minute brings (hashrate noise, temperatures, share counters).
import { identityOf, readingToSample } from '@hashinsight/agent';
import { connectClients, identify, MinerReader, type Reading } from '@hashinsight/miners';
import type { hashinsight } from '@hashinsight/protocol';
import { PERSONALITY_NAMES, startFleet } from '@hashinsight/simulator';

export type Sample = Omit<hashinsight.v1.IMinerSample, 'seq'>;

/** One real sample per miner, read from `count` simulated miners on 127.78.x.y (nothing leaves loopback). */
export async function readRealSamples(count: number): Promise<{ plain: Sample[]; withIdentity: Sample[] }> {
  const ips = Array.from({ length: count }, (_, i) => `127.78.${(i / 250) | 0}.${(i % 250) + 1}`);
  const port = 41_000 + (process.pid % 1000);
  const fleet = await startFleet({ ips, port, personalities: [...PERSONALITY_NAMES], seed: 7 });
  try {
    const reader = new MinerReader({ port, timeoutMs: 5000 });
    const now = Date.now();
    const readings: Reading[] = [];
    const drivers: string[] = [];
    for (let i = 0; i < ips.length; i += 50) {
      const batch = ips.slice(i, i + 50);
      readings.push(...(await Promise.all(batch.map((ip) => reader.read(ip)))));
      // The identity names the driver and its capabilities, as the poller's does.
      const identified = batch.map((ip) => identify(connectClients(ip, { port, timeoutMs: 5000 })));
      drivers.push(...(await Promise.all(identified)).map(({ driver }) => driver.id));
    }
    return {
      plain: readings.map((r) => readingToSample(r, now, undefined)),
      withIdentity: readings.map((r, i) => readingToSample(r, now, identityOf(r, drivers[i] ?? ''))),
    };
  } finally {
    await fleet.close();
  }
}

/** A small deterministic PRNG, so runs compare. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

const jiggle = (value: number | null | undefined, rnd: () => number, spread: number) =>
  value == null ? value : Math.max(0, Math.round(value * (1 + (rnd() - 0.5) * spread)));

/**
 * The sample `template` (a real one) would give `minutes` later: same miner and layout, fresh noise on hashrate,
 * temperatures and fans, share counters and uptime moved on.
 */
export function evolve(template: Sample, minutes: number, timeMs: number, seed: number): Sample {
  const rnd = random(seed);
  const sample: Sample = {
    ...template,
    identity: undefined,
    timeMs,
    hashrateMhs: jiggle(template.hashrateMhs as number, rnd, 0.04),
    boards: template.boards?.map((b) => ({
      ...b,
      hashrateMhs: jiggle(b.hashrateMhs as number, rnd, 0.04),
      chipTempDc: b.chipTempDc == null ? b.chipTempDc : b.chipTempDc + Math.round((rnd() - 0.5) * 30),
      boardTempDc: b.boardTempDc == null ? b.boardTempDc : b.boardTempDc + Math.round((rnd() - 0.5) * 30),
    })),
    fanRpm: template.fanRpm?.map((rpm) => jiggle(rpm, rnd, 0.04) as number),
    powerW: jiggle(template.powerW, rnd, 0.02),
    pools: template.pools?.map((p) =>
      p.active ? { ...p, accepted: Number(p.accepted ?? 0) + minutes * 3 + Math.floor(rnd() * 3) } : p,
    ),
    uptimeS: Number(template.uptimeS ?? 0) + minutes * 60,
  };
  return sample;
}

let templates: Promise<Sample[]> | undefined;

/**
 * `miners` distinct miners from real readings: 2,000 simulated miners are read once (memoized for the process);
 * miner k takes reading k mod 2,000 as its layout, with its own MAC-style id and worker name.
 */
export async function fleetTemplates(miners: number): Promise<Sample[]> {
  templates ??= readRealSamples(2000).then((r) => r.plain);
  const real = await templates;
  return Array.from({ length: miners }, (_, k) => {
    const base = real[k % real.length] as Sample;
    const minerId = `02a4${k.toString(16).padStart(8, '0')}`;
    const worker = `site7.r${Math.floor(k / 40)}s${k % 40}`;
    return { ...base, minerId, pools: base.pools?.map((p) => ({ ...p, user: worker })) };
  });
}

/**
 * What a site of `fleet.length` miners polled every `intervalS` seconds stores in second `second`: the miners
 * whose turn it is (about fleet / interval of them), each with that minute's values.
 */
export function siteSecond(
  fleet: readonly Sample[],
  second: number,
  intervalS: number,
  startMs: number,
): Sample[] {
  const samples: Sample[] = [];
  for (let k = second % intervalS; k < fleet.length; k += intervalS) {
    const round = Math.floor(second / intervalS);
    samples.push(evolve(fleet[k] as Sample, round, startMs + second * 1000 + (k % 997), k * 7919 + round));
  }
  return samples;
}
