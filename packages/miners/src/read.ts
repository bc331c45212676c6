import { readCgminer } from './drivers/cgminer/index.js';
import type { Reading } from './reading.js';
import { type CgminerOptions, cgminerCommand } from './transports/cgminer/index.js';

/** Reads a cgminer-family miner over its TCP API. Connection failures reject with a MinerError. */
export function readCgminerMiner(ip: string, options?: CgminerOptions): Promise<Reading> {
  return readCgminer(ip, (command) => cgminerCommand(ip, command, undefined, options));
}
