import type { MinerClients } from '../../driver.js';
import type { Reading } from '../../reading.js';
import { optionalReply, parsePools } from '../cgminer-family/index.js';
import { antminerReading } from './reading.js';
import { type AntminerStats, parseStats } from './stats.js';

/**
 * Reads an Antminer with two commands, one per request (stock X19 firmware breaks on `a+b` multi-commands and
 * allows only stats/pools/devs/summary/version from the LAN): `stats` has the model, firmware, totals, uptime,
 * boards and fans, so `summary`, `version` and `devs` would add nothing; `pools` is optional. Custom firmware
 * that answers like stock passes `adapt` to correct what it reports differently.
 */
export async function readAntminer(
  clients: MinerClients,
  adapt: (stats: AntminerStats) => AntminerStats = (stats) => stats,
): Promise<Reading> {
  const stats = adapt(parseStats(await clients.cgminer('stats')));
  const pools = await optionalReply(clients.cgminer('pools'));
  return antminerReading(clients.ip, stats, pools ? parsePools(pools) : []);
}
