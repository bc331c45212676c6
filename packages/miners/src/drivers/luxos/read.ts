import type { MinerClients } from '../../driver.js';
import type { Reading } from '../../reading.js';
import { optionalReply } from '../cgminer-family/index.js';
import { parseLuxos } from './parse.js';

/**
 * LUXminer, one command at a time: `stats` (required: totals, chips, fans), then `config`
 * (model, hostname, MAC, serial, curtailment), `devs` (boards), `temps` (intake/exhaust), `power` and `pools`,
 * each of which may be refused and is then absent. `summary`, `fans` and `version` would only repeat `stats` and
 * `config`.
 */
export async function readLuxos(clients: MinerClients): Promise<Reading> {
  const stats = await clients.cgminer('stats');
  const config = await optionalReply(clients.cgminer('config'));
  const devs = await optionalReply(clients.cgminer('devs'));
  const temps = await optionalReply(clients.cgminer('temps'));
  const power = await optionalReply(clients.cgminer('power'));
  const pools = await optionalReply(clients.cgminer('pools'));
  return parseLuxos(clients.ip, { stats, config, devs, temps, power, pools });
}
