import type { ControlOperation, MinerClients } from '../../driver.js';
import { MinerError } from '../../errors.js';
import { expectConfirmation } from '../cgminer-family/index.js';

// BOSminer's own API commands (Braiins OS+ API docs): `pause` stops mining and power draw, answering Code 204;
// `resume` starts it again, Code 205. The open-source BOSminer's API is read-only: it refuses both.
const PAUSE = { command: 'pause', code: 204 } as const;
const RESUME = { command: 'resume', code: 205 } as const;

/**
 * Sleep only. Its pools could be changed with cgminer `addpool`/`removepool`, but Braiins documents that BOSminer
 * forgets those at restart and does not activate the pools, and a change that silently reverts is not offered.
 */
export async function controlBraiinsOs(clients: MinerClients, operation: ControlOperation): Promise<void> {
  if (operation.kind !== 'sleep') {
    throw new MinerError('MINER_UNSUPPORTED', `Braiins OS cannot ${operation.kind} over the cgminer API`);
  }
  const { command, code } = operation.asleep ? PAUSE : RESUME;
  const reply = await clients.cgminer(command);
  expectConfirmation(reply, command, (status) => status.code === code);
}
