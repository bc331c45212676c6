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
  return {
    ip,
    vendor: vendorOf(stats.model),
    model: stats.model,
    firmware: stats.firmware,
    ...(stats.hostname === undefined ? {} : { hostname: stats.hostname }),
    ...(stats.serial === undefined ? {} : { serial: stats.serial }),
    ...healthOf(stats, expectedMhs),
    hashrateMhs: Math.round(stats.rateMhs),
    hashrateAvgMhs: Math.round(stats.rateAvgMhs),
    hashrateExpectedMhs: Math.round(expectedMhs),
    boards: stats.boards.map(({ rateMhs, ...board }) => ({ ...board, hashrateMhs: Math.round(rateMhs) })),
    fansRpm: stats.fansRpm,
    pools,
    uptimeS: stats.uptimeS,
  };
}
