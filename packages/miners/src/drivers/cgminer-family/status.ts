import type { Reading } from '../../reading.js';

/** What the status rule needs besides the Reading's numbers, as far as the firmware reports it. */
export interface StatusFacts {
  /** The firmware says mining was stopped on purpose (BOS pause, LuxOS curtail, VNish stop). */
  sleeping: boolean;
  /** How many fans the firmware counts (bmminer `fan_num`), when it says. */
  fansExpected?: number;
  /** The temperature the firmware itself calls hot (BOS `tempctrl` Hot), when it reports one. */
  hotC?: number;
}

/** Below this share of the expected hashrate a hashing miner is degraded. */
export const DEGRADED_BELOW_EXPECTED = 0.9;

type Measured = Pick<Reading, 'hashrateMhs' | 'hashrateExpectedMhs' | 'boards' | 'fansRpm'>;

/**
 * The status rule of the cgminer-family drivers:
 * - `sleeping` when the firmware says mining is stopped on purpose, whatever the hashrate;
 * - `offline` when it answers but hashes nothing;
 * - `degraded` when it hashes but a board hashes nothing, a board has fewer chips than it should (when the
 *   firmware says how many it should), a board or chip reaches the firmware's own hot limit, fewer fans spin
 *   than the firmware counts, or the total is below 90% of the expected hashrate (when one is known);
 * - `ok` otherwise.
 */
export function minerStatus(reading: Measured, facts: StatusFacts): Reading['status'] {
  if (facts.sleeping) return 'sleeping';
  if (reading.hashrateMhs === 0) return 'offline';
  const hot = facts.hotC;
  const degraded =
    reading.boards.some((board) => board.hashrateMhs === 0) ||
    reading.boards.some((board) => board.chipsExpected > 0 && board.chips < board.chipsExpected) ||
    (hot !== undefined &&
      reading.boards.some((board) => Math.max(board.boardTempC ?? 0, board.chipTempC ?? 0) >= hot)) ||
    (facts.fansExpected !== undefined && reading.fansRpm.length < facts.fansExpected) ||
    reading.hashrateMhs < reading.hashrateExpectedMhs * DEGRADED_BELOW_EXPECTED;
  return degraded ? 'degraded' : 'ok';
}
