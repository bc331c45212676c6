import type { MinerClients } from '../../driver.js';
import type { Reading } from '../../reading.js';
import { optionalReply } from '../cgminer-family/index.js';
import { parseVnish } from './parse.js';

/**
 * VNish over the cgminer API, one command at a time: `stats` (required) carries model, firmware, totals, boards,
 * fans and power; `pools` may be refused. `summary` would only repeat the totals, `version` is refused by VNish
 * 1.2 and `devdetails` has no model. MAC, hostname and serial need VNish's HTTP API.
 */
export async function readVnish(clients: MinerClients): Promise<Reading> {
  const stats = await clients.cgminer('stats');
  const pools = await optionalReply(clients.cgminer('pools'));
  return parseVnish(clients.ip, { stats, pools });
}
