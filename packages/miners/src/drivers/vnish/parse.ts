import type { Reading } from '../../reading.js';
import type { CgminerReply } from '../../transports/cgminer/index.js';
import {
  counter,
  expectedHashrateMhs,
  MAX_HASHRATE_MHS,
  MAX_POWER_W,
  minerStatus,
  numberAt,
  numberedKeys,
  parsePools,
  parseTotals,
  statsData,
  statsFans,
  statsType,
  temperatureAt,
  vendorOf,
} from '../cgminer-family/index.js';

/** The VNish replies a Reading is made of: `stats` (required) and `pools` (may be refused). */
export interface VnishReplies {
  stats: CgminerReply;
  pools?: CgminerReply;
}

type Board = Reading['boards'][number];

const MAX_HASHRATE_GHS = MAX_HASHRATE_MHS / 1000;

/**
 * One Reading from VNish's bmminer-style `stats` (totals, chains, fans, rated rate, chain power) and `pools`
 * (whose `DevFee` pool parsePools drops). Status: `minerStatus`, sleeping when VNish reports its miner state
 * "stopped" (mining stopped from its web UI or API; pyasic reads the same state as "not mining").
 */
export function parseVnish(ip: string, replies: VnishReplies): Reading {
  const data = statsData(replies.stats);
  const totals = parseTotals(data);
  const { model, firmware } = parseType(statsType(replies.stats), replies.stats.status.description);
  const boards = parseBoards(data);
  const ideal = ghsAt(data, 'total_rateideal');
  const hashrateExpectedMhs = ideal > 0 ? Math.round(ideal * 1000) : expectedHashrateMhs(model);
  const { fansRpm, fansExpected } = statsFans(data);
  const powerW = parsePowerW(data);
  const measured = { hashrateMhs: totals.hashrateMhs, hashrateExpectedMhs, boards, fansRpm };
  return {
    ip,
    vendor: vendorOf(model),
    model,
    firmware,
    status: minerStatus(measured, {
      sleeping: data.state === 'stopped',
      ...(fansExpected === undefined ? {} : { fansExpected }),
    }),
    hashrateMhs: totals.hashrateMhs,
    hashrateAvgMhs: totals.hashrateAvgMhs,
    hashrateExpectedMhs,
    boards,
    fansRpm,
    ...(powerW === undefined ? {} : { powerW }),
    pools: replies.pools ? parsePools(replies.pools) : [],
    uptimeS: totals.uptimeS,
    errors: parseChainFaults(data),
  };
}

/**
 * VNish names itself in the `stats` Type: "Antminer S21 Pro (Vnish 1.2.7)", "Antminer S9 (vnish 3.8.6)". Without
 * that suffix the firmware is what the reply's Description says.
 */
export function parseType(
  type: string | undefined,
  description: string,
): { model: string; firmware: string } {
  const line = type?.split('\n')[0]?.trim() ?? '';
  const vnish = /^(.*?)\s*\(vnish\s+([^)]+)\)/i.exec(line);
  const model = (vnish?.[1] ?? line.split(' (')[0] ?? '').trim();
  return {
    model: model === '' ? 'unknown' : model,
    firmware: vnish?.[2] === undefined ? description : `VNish ${vnish[2].trim()}`,
  };
}

/**
 * One board per chain N (`chain_acnN`, 1-based; index N-1) that has chips, hashes or is rated to: bmminer lists
 * every connector, with 0 chips and a blank rate where no board is. `chain_rateN` is GH/s, `tempN` the board's
 * hottest PCB sensor, `temp2_N` its hottest chip. VNish does not say how many chips a board should have.
 */
export function parseBoards(data: Record<string, unknown>): Reading['boards'] {
  return numberedKeys(data, 'chain_acn').flatMap((n): Board[] => {
    const chips = counter(data, `chain_acn${n}`);
    const rate = ghsAt(data, `chain_rate${n}`);
    if (chips === 0 && rate === 0 && ghsAt(data, `chain_rateideal${n}`) === 0) return [];
    const boardTempC = temperatureAt(data, `temp${n}`);
    const chipTempC = temperatureAt(data, `temp2_${n}`);
    return [
      {
        index: n - 1,
        hashrateMhs: Math.round(rate * 1000),
        ...(boardTempC === undefined ? {} : { boardTempC }),
        ...(chipTempC === undefined ? {} : { chipTempC }),
        chips,
        chipsExpected: 0,
      },
    ];
  });
}

/** VNish estimates each chain's draw (`chain_consumptionN`, W); the miner's is their sum, as its web UI shows. */
export function parsePowerW(data: Record<string, unknown>): number | undefined {
  const chains = numberedKeys(data, 'chain_consumption');
  if (chains.length === 0) return undefined;
  return Math.round(chains.reduce((sum, n) => sum + numberAt(data, `chain_consumption${n}`, MAX_POWER_W), 0));
}

/** A chain VNish reports a fault on (`chain_faultN` not blank). */
export function parseChainFaults(data: Record<string, unknown>): Reading['errors'] {
  return numberedKeys(data, 'chain_fault').flatMap((n) => {
    const fault = data[`chain_fault${n}`];
    return typeof fault === 'string' && fault.trim() !== ''
      ? [{ code: 'VNISH_CHAIN_FAULT', message: `chain ${n}: ${fault.trim()}` }]
      : [];
  });
}

/** A GH/s figure; absent or blank (an empty connector) is 0. */
function ghsAt(data: Record<string, unknown>, key: string): number {
  return data[key] === undefined || data[key] === '' ? 0 : numberAt(data, key, MAX_HASHRATE_GHS);
}
