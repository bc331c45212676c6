import type { Reply } from '../cgminer/index.js';
import type { Hardware } from '../hardware.js';
import type { PoolRow } from '../pools.js';
import { type Sample, SHARE_DIFFICULTY } from '../telemetry.js';

// Values several firmware families print the same way, because they all descend from cgminer.

export function perMinute(count: number, elapsed: number): number {
  return elapsed > 0 ? Math.round((count / elapsed) * 60 * 100) / 100 : 0;
}

export function percent(part: number, whole: number): number {
  return whole > 0 ? Math.round((part / whole) * 10000) / 100 : 0;
}

/** The best share so far: a few times the pool difficulty once any share was found. */
export function bestShare(accepted: number): number {
  return accepted > 0 ? SHARE_DIFFICULTY * 3 : 0;
}

/**
 * bmminer's chip map (`chain_acsN`): one character per chip position, `o` hashing, `x` found but idle (asleep),
 * `-` missing, in groups of four after a space.
 */
function chipMap(positions: number, found: number, hashing: number): string {
  let map = '';
  for (let chip = 0; chip < positions; chip++) {
    if (chip % 4 === 0) map += ' ';
    map += chip < hashing ? 'o' : chip < found ? 'x' : '-';
  }
  return map;
}

/** bmminer's four sensors of a board as one string, "62-62-58-58": two near the inlet, two near the outlet. */
function sensors(inletC: number, outletC: number): string {
  return [inletC, inletC, outletC, outletC].join('-');
}

/** A cgminer `pools` record of one configured pool; firmware add or override their own fields. */
export function poolRecord(row: PoolRow, when: number): Reply {
  const credited = row.accepted > 0;
  return {
    POOL: row.index,
    URL: row.url,
    Status: row.enabled ? 'Alive' : 'Disabled',
    Priority: row.index,
    Quota: 1,
    'Long Poll': 'N',
    Getworks: row.active ? Math.max(1, Math.floor(row.accepted / 2)) : 0,
    Accepted: row.accepted,
    Rejected: row.rejected,
    Works: row.accepted * 4096,
    Discarded: 0,
    Stale: row.stale,
    'Get Failures': 0,
    'Remote Failures': 0,
    User: row.user,
    'Last Share Time': credited ? when - 3 : 0,
    'Diff1 Shares': row.accepted * SHARE_DIFFICULTY,
    'Proxy Type': '',
    Proxy: '',
    'Difficulty Accepted': row.accepted * SHARE_DIFFICULTY,
    'Difficulty Rejected': row.rejected * SHARE_DIFFICULTY,
    'Difficulty Stale': row.stale * SHARE_DIFFICULTY,
    'Last Share Difficulty': credited ? SHARE_DIFFICULTY : 0,
    'Work Difficulty': row.active ? SHARE_DIFFICULTY : 0,
    'Has Stratum': true,
    'Stratum Active': row.active,
    'Stratum URL': row.active ? hostOf(row.url) : '',
    'Stratum Difficulty': row.active ? SHARE_DIFFICULTY : 0,
    'Has GBT': false,
    'Best Share': bestShare(row.accepted),
    'Pool Rejected%': percent(row.rejected, row.accepted + row.rejected),
    'Pool Stale%': percent(row.stale, row.accepted + row.stale),
    'Bad Work': 0,
    'Current Block Height': row.active ? 880_000 : 0,
    'Current Block Version': 536_870_912,
  };
}

/** cgminer's summary counters, shared by every family's `summary`. */
export function summaryCounters(s: Sample): Reply {
  return {
    'Found Blocks': 0,
    Getworks: Math.floor(s.elapsed / 30),
    Accepted: s.accepted,
    Rejected: s.rejected,
    'Hardware Errors': 0,
    Utility: perMinute(s.accepted, s.elapsed),
    Discarded: 0,
    Stale: s.stale,
    'Get Failures': 0,
    'Local Work': 0,
    'Remote Failures': 0,
    'Network Blocks': 0,
    'Total MH': Math.round(s.ghsAv * 1000 * s.elapsed),
    'Work Utility': perMinute(s.accepted * SHARE_DIFFICULTY, s.elapsed),
    'Difficulty Accepted': s.accepted * SHARE_DIFFICULTY,
    'Difficulty Rejected': s.rejected * SHARE_DIFFICULTY,
    'Difficulty Stale': s.stale * SHARE_DIFFICULTY,
    'Best Share': bestShare(s.accepted),
    'Device Hardware%': 0,
    'Device Rejected%': 0,
    'Pool Rejected%': percent(s.rejected, s.accepted + s.rejected),
    'Pool Stale%': percent(s.stale, s.accepted + s.stale),
    'Last getwork': s.when,
  };
}

/** The host of a pool URL as cgminer shows it in `Stratum URL`; never throws on a URL an operator mistyped. */
export function hostOf(url: string): string {
  return url.replace(/^[a-z+]+:\/\//i, '').replace(/:\d+$/, '');
}

/** bmminer lists four chain slots; boards beyond the model's sit empty. */
const CHAIN_SLOTS = 4;

/**
 * bmminer's per-chain fields of `stats` (stock Antminer, LuxOS): chips found and their map, rate, frequency and
 * the four sensors of each board, for four slots; `tempN`/`temp2_N` only for slots with a board.
 */
export function chainFields(s: Sample, hardware: Hardware, frequencyMhz: number): Reply {
  const data: Reply = {};
  for (let chain = 1; chain <= CHAIN_SLOTS; chain++) {
    const board = s.boards[chain - 1];
    data[`chain_acn${chain}`] = board?.chipsFound ?? 0;
    data[`chain_acs${chain}`] =
      board === undefined ? '' : chipMap(hardware.chipsPerBoard, board.chipsFound, board.chipsHashing);
    data[`chain_hw${chain}`] = 0;
    data[`chain_rate${chain}`] = board === undefined ? '' : board.ghs5s.toFixed(2);
    data[`freq${chain}`] = board === undefined ? 0 : frequencyMhz;
    data[`temp_chip${chain}`] = board ? sensors(board.chipTempC - 4, board.chipTempC) : '0-0-0-0';
    data[`temp_pcb${chain}`] = board ? sensors(board.boardTempC - 4, board.boardTempC) : '0-0-0-0';
    data[`temp_pic${chain}`] = board ? sensors(board.boardTempC - 14, board.boardTempC - 10) : '0-0-0-0';
    if (board) {
      data[`temp${chain}`] = board.boardTempC;
      data[`temp2_${chain}`] = board.chipTempC;
    }
  }
  return data;
}

/** `fan1..fanN` as bmminer prints them. */
export function fanFields(s: Sample): Reply {
  return Object.fromEntries(s.fansRpm.map((rpm, i) => [`fan${i + 1}`, rpm]));
}
