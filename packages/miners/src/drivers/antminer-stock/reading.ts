import type { Reading } from '../../reading.js';
import { expectedHashrateMhs, vendorOf } from '../cgminer-family/index.js';
import { healthOf } from './health.js';
import type { AntminerStats } from './stats.js';

/**
 * The Reading of an Antminer from its `stats` and `pools`. Expected hashrate: the firmware's `total_rateideal`
 * when it reports one, else the model's nominal rate from the catalog (0 for a model the catalog lacks).
 * Hashrates are rounded to MH/s only here, so status is judged on what the miner really reports.
 */
export function antminerReading(ip: string, stats: AntminerStats, pools: Reading['pools']): Reading {
  const expectedMhs = stats.idealMhs ?? expectedHashrateMhs(stats.model);
  // Equihash rates are solutions: exact in Sol/s beside the reading, never passed off as MH/s of hashes.
  const solutions = stats.algorithm === 'equihash';
  const mhs = (rate: number) => (solutions ? 0 : Math.round(rate));
  const sols = (rate: number) => Math.round(rate * 1_000_000);
  return {
    ip,
    ...(stats.algorithm === undefined ? {} : { algorithm: stats.algorithm }),
    ...(solutions
      ? {
          solutionRate: {
            solsNow: sols(stats.rateMhs),
            solsAvg: sols(stats.rateAvgMhs),
            boardsSols: stats.boards.map((board) => sols(board.rateMhs)),
          },
        }
      : {}),
    vendor: vendorOf(stats.model),
    model: stats.model,
    firmware: stats.firmware,
    ...(stats.hostname === undefined ? {} : { hostname: stats.hostname }),
    ...(stats.serial === undefined ? {} : { serial: stats.serial }),
    ...healthOf(stats, expectedMhs),
    hashrateMhs: mhs(stats.rateMhs),
    hashrateAvgMhs: mhs(stats.rateAvgMhs),
    hashrateExpectedMhs: mhs(expectedMhs),
    boards: stats.boards.map(({ rateMhs, ...board }) => ({ ...board, hashrateMhs: mhs(rateMhs) })),
    fansRpm: stats.fansRpm,
    pools,
    uptimeS: stats.uptimeS,
  };
}
