import { MinerError } from '../../errors.js';
import type { AntminerStats } from '../antminer-stock/index.js';

/** RFC 1035: a host name is at most 253 characters. */
const MAX_HOSTNAME = 253;

/**
 * asicseer answers like stock bmminer (its version "2.4.0-asicseer-1.1.9-f7b7" already names it) and adds its
 * own fields to `stats`, among them the miner's `hostname`.
 */
export function asicseerStats(stats: AntminerStats): AntminerStats {
  const hostname = stats.data.hostname;
  if (hostname === undefined || hostname === '') return stats;
  if (typeof hostname !== 'string' || hostname.length > MAX_HOSTNAME) {
    throw new MinerError(
      'MINER_BAD_REPLY',
      `hostname is not a host name: ${JSON.stringify(hostname)?.slice(0, 80)}`,
    );
  }
  return { ...stats, hostname: hostname.trim() };
}
