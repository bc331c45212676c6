import type { CalculationInput } from './calculate.js';
import { heatmap } from './grid.js';

export interface HeatmapTiming {
  /** Prices per axis; the grid has size × size cells. */
  size: number;
  runs: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
}

const WARM_UP_RUNS = 20;

/** A current-generation air-cooled fleet; the figures only need to be realistic, not current. */
const BENCH_BASE: CalculationInput = {
  hashrateTh: 200,
  powerW: 3500,
  quantity: 100,
  difficulty: 1.5e14,
  btcUsd: 90_000,
  electricityUsdPerKwh: 0.06,
  blockHeight: 927_000,
  avgFeesPerBlockBtc: 0.03,
  poolFeePercent: 2,
  hostingUsdPerUnitMonth: 10,
  hardwareCostUsd: 4000,
};

/**
 * Time heatmap() on a size × size grid (BTC $20k..$250k × $0.00..$0.20/kWh), for `npm run bench -- portal`.
 * Warm-up runs first so the JIT has settled, then `runs` timed ones.
 */
export function timeHeatmap(size = 100, runs = 200): HeatmapTiming {
  const btcPrices = Array.from({ length: size }, (_, i) => 20_000 + (230_000 * i) / Math.max(1, size - 1));
  const electricityPrices = Array.from({ length: size }, (_, j) => (0.2 * j) / Math.max(1, size - 1));
  for (let i = 0; i < WARM_UP_RUNS; i++) heatmap(BENCH_BASE, btcPrices, electricityPrices);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    heatmap(BENCH_BASE, btcPrices, electricityPrices);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return {
    size,
    runs,
    medianMs: times[Math.floor(times.length / 2)]!,
    minMs: times[0]!,
    maxMs: times[times.length - 1]!,
  };
}
