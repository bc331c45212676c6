import type { MinerClients } from '../../driver.js';
import type { Reading } from '../../reading.js';
import { optionalReply } from '../cgminer-family/index.js';
import { parseBraiinsOs } from './parse.js';

/**
 * BOSminer, one command at a time: `summary` (required) for the totals, then the per-board `devs` (MH/s,
 * nominal rate), `devdetails` (model, chips), `temps`, `fans`, BOS+ `tunerstatus` (power) and `tempctrl` (hot
 * limit), and `pools`. Each but `summary` may be refused (open-source BOSminer has no tuner) and is then absent.
 */
export async function readBraiinsOs(clients: MinerClients): Promise<Reading> {
  const summary = await clients.cgminer('summary');
  const devs = await optionalReply(clients.cgminer('devs'));
  const devdetails = await optionalReply(clients.cgminer('devdetails'));
  const temps = await optionalReply(clients.cgminer('temps'));
  const fans = await optionalReply(clients.cgminer('fans'));
  const tunerstatus = await optionalReply(clients.cgminer('tunerstatus'));
  const tempctrl = await optionalReply(clients.cgminer('tempctrl'));
  const pools = await optionalReply(clients.cgminer('pools'));
  return parseBraiinsOs(clients.ip, { summary, devs, devdetails, temps, fans, tunerstatus, tempctrl, pools });
}
