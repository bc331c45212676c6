import type { MinerClients } from '../../driver.js';
import type { Reading } from '../../reading.js';
import { optionalReply, parsePools, parseSummary } from '../cgminer-family/index.js';
import { parseAvalonStats, parseAvalonVersion } from './parse.js';
import { avalonReading } from './reading.js';

/**
 * Reads an Avalon one command at a time (Canaan's API serves one request at a time): `version` (model, firmware,
 * MAC; optional), `stats` (everything else, packed in the MM strings), `pools` (optional). `summary` is asked
 * only when the MMs lack a real-time rate. `devs` adds nothing `stats` lacks, and `estats` answers like `stats`.
 */
export async function readAvalon(clients: MinerClients): Promise<Reading> {
  const version = await optionalReply(clients.cgminer('version'));
  const statsReply = await clients.cgminer('stats');
  const stats = parseAvalonStats(statsReply);
  const summary = stats.rate === undefined ? parseSummary(await clients.cgminer('summary')) : undefined;
  const pools = await optionalReply(clients.cgminer('pools'));
  return avalonReading(clients.ip, {
    stats,
    version: version === undefined ? {} : parseAvalonVersion(version),
    ...(summary === undefined ? {} : { summary }),
    description: statsReply.status.description,
    pools: pools === undefined ? [] : parsePools(pools),
  });
}
