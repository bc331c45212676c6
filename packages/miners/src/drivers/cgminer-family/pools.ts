import type { Reading } from '../../reading.js';
import type { CgminerReply } from '../../transports/cgminer/index.js';
import { counter, sectionList } from './parse.js';

type Pool = Reading['pools'][number];

/** Firmware developer-fee pools (VNish `DevFee`, Hiveon/Blissz priority 9998-9999) are not the operator's pools. */
function isDevFee(pool: Record<string, unknown>): boolean {
  const priority = Number(pool.Priority);
  return priority >= 9998 || /devfee/i.test(String(pool.User ?? ''));
}

function status(pool: Record<string, unknown>): Pool['status'] {
  const text = String(pool.Status ?? '').toLowerCase();
  if (text === 'alive') return 'alive';
  if (text === 'dead') return 'dead';
  if (text === 'disabled') return 'disabled';
  return 'unknown';
}

/**
 * The operator's pools from a cgminer `pools` reply, in priority order. `Stratum Active` marks the pool receiving
 * work; stale shares are `Stale`. Pool passwords are never in the reply, and never in a Reading.
 */
export function parsePools(reply: CgminerReply): Reading['pools'] {
  return sectionList(reply, 'POOLS')
    .filter((pool) => !isDevFee(pool))
    .map((pool, index) => ({
      url: String(pool.URL ?? ''),
      user: String(pool.User ?? ''),
      status: status(pool),
      active: pool['Stratum Active'] === true,
      priority: Number.isSafeInteger(pool.Priority) ? (pool.Priority as number) : index,
      accepted: counter(pool, 'Accepted'),
      rejected: counter(pool, 'Rejected'),
      stale: counter(pool, 'Stale'),
    }))
    .sort((a, b) => a.priority - b.priority);
}
