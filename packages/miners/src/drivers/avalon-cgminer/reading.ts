import type { Reading } from '../../reading.js';
import { expectedHashrateMhs, minerStatus, type SummaryValues } from '../cgminer-family/index.js';
import type { AvalonStats, AvalonVersion } from './parse.js';

/** Canaan's overheat limit (AVA10_DEFAULT_TEMP_OVERHEAT in its cgminer drivers): a chip at it is too hot. */
const OVERHEAT_C = 105;

export interface AvalonParts {
  stats: AvalonStats;
  version: AvalonVersion;
  /** `summary`, read only when the MMs do not report `GHSspd`/`GHSavg` (A10 firmware of 2020). */
  summary?: SummaryValues;
  /** STATUS Description of `stats`, e.g. "cgminer 4.11.1". */
  description: string;
  pools: Reading['pools'];
}

/**
 * The Reading of an Avalon. Rates: the MMs' `GHSspd`/`GHSavg` when they report both, else cgminer's summary
 * (its `MHS 30s` window); per board `MGHS`, an average since the MM started, the only per-board rate Avalon gives.
 * Expected: `GHSmm`, else the catalog's nominal rate for the model. Status follows the cgminer-family rule
 * (`minerStatus`): sleeping when an MM has `SoftOFF` set and the miner hashes nothing (a soft-off that has not
 * taken effect yet is judged by its hashrate); hot at Canaan's 105 °C; a stopped fan is a reported fan slot at 0.
 */
export function avalonReading(ip: string, parts: AvalonParts): Reading {
  const { stats, version, summary } = parts;
  const model = version.model ?? 'unknown';
  const measured = {
    hashrateMhs: stats.rate?.nowMhs ?? summary?.hashrateMhs ?? 0,
    hashrateExpectedMhs: stats.idealMhs ?? expectedHashrateMhs(model),
    boards: stats.boards,
    fansRpm: stats.fansRpm,
  };
  const sleeping = stats.softOff && measured.hashrateMhs === 0;
  return {
    ip,
    vendor: 'canaan',
    model,
    firmware: version.firmware ?? stats.mmVersion ?? parts.description,
    ...(version.mac === undefined ? {} : { mac: version.mac }),
    status: minerStatus(measured, { sleeping, fansExpected: stats.fansExpected, hotC: OVERHEAT_C }),
    ...measured,
    hashrateAvgMhs: stats.rate?.avgMhs ?? summary?.hashrateAvgMhs ?? 0,
    ...(stats.powerW === undefined ? {} : { powerW: stats.powerW }),
    pools: parts.pools,
    uptimeS: stats.uptimeS,
    errors: stats.errors,
  };
}
