import type { Reading } from '../../reading.js';
import { DEGRADED_BELOW_EXPECTED, minerStatus } from '../cgminer-family/index.js';
import type { AntminerStats } from './stats.js';

/** X17 firmware reports `Mode` 254 while asleep (set_miner_conf `_ant_work_mode=254`). */
const SLEEP_MODE = 254;
/**
 * Bitmain boards run their chips up to ~90 °C and report no limit of their own over the cgminer API; from 95 °C
 * they overheat (the corpus X19 has stopped hashing at 96 °C).
 */
const HOT_C = 95;

/**
 * Status and errors of an Antminer from its `stats`, by the cgminer-family rule (`minerStatus`) on the unrounded
 * rates (an Equihash Z11 hashes at 0.14 MH/s, which rounds to 0 but is not offline), with these Antminer facts:
 * - asleep: `Mode` 254 (X17), or an X19 idle on purpose. X19 keeps `Mode` 2 in sleep and only its web config
 *   says so (`bitmain-work-mode`), so over the cgminer API an X19 counts as asleep when it reports a mode, makes
 *   0 now and on average (entering sleep restarts bmminer), and has chips found but none hashing ('x').
 * - hot: a board or chip at HOT_C; fans: `fan_num` counts the fans that should spin.
 * Errors name what makes a miner degraded (and the heat that stopped an offline one); a sleeping miner has none.
 */
export function healthOf(
  stats: AntminerStats,
  expectedMhs: number,
): { status: Reading['status']; errors: Reading['errors'] } {
  const measured = {
    hashrateMhs: stats.rateMhs,
    hashrateExpectedMhs: expectedMhs,
    boards: stats.boards.map((board) => ({ ...board, hashrateMhs: board.rateMhs })),
    fansRpm: stats.fansRpm,
  };
  const fans = stats.fansExpected === undefined ? {} : { fansExpected: stats.fansExpected };
  const status = minerStatus(measured, { sleeping: isAsleep(stats), hotC: HOT_C, ...fans });
  if (status === 'sleeping') return { status, errors: [] };
  return { status, errors: status === 'offline' ? heatErrors(stats) : errorsOf(stats, expectedMhs) };
}

function isAsleep(stats: AntminerStats): boolean {
  if (stats.mode === SLEEP_MODE) return true;
  const found = stats.boards.reduce((sum, board) => sum + board.chipsExpected, 0);
  const hashing = stats.boards.reduce((sum, board) => sum + board.chips, 0);
  return (
    stats.mode !== undefined && stats.rateMhs === 0 && stats.rateAvgMhs === 0 && found > 0 && hashing === 0
  );
}

function heatErrors(stats: AntminerStats): Reading['errors'] {
  return stats.boards
    .filter((board) => Math.max(board.boardTempC ?? 0, board.chipTempC ?? 0) >= HOT_C)
    .map((board) => ({
      code: 'TEMP_HIGH',
      message: `board ${board.index}: ${Math.max(board.boardTempC ?? 0, board.chipTempC ?? 0)} °C`,
    }));
}

/** One error per degraded condition of `minerStatus`, for a hashing miner. */
function errorsOf(stats: AntminerStats, expectedMhs: number): Reading['errors'] {
  const errors = heatErrors(stats);
  for (const board of stats.boards) {
    if (board.rateMhs === 0) {
      errors.push({ code: 'BOARD_DEAD', message: `board ${board.index} makes no hashrate` });
    } else if (board.chipsExpected > 0 && board.chips < board.chipsExpected) {
      const message = `board ${board.index}: ${board.chips} of ${board.chipsExpected} chips hashing`;
      errors.push({ code: 'CHIPS_FAILED', message });
    }
  }
  if (stats.fansExpected !== undefined && stats.fansRpm.length < stats.fansExpected) {
    const message = `${stats.fansRpm.length} of ${stats.fansExpected} fans spinning`;
    errors.push({ code: 'FAN_STOPPED', message });
  }
  if (stats.rateMhs < expectedMhs * DEGRADED_BELOW_EXPECTED) {
    const percent = Math.floor((stats.rateMhs / expectedMhs) * 100);
    errors.push({ code: 'HASHRATE_LOW', message: `hashing at ${percent}% of the expected hashrate` });
  }
  return errors;
}
