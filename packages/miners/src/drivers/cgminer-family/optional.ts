import { MinerError } from '../../errors.js';
import type { CgminerReply } from '../../transports/cgminer/index.js';

/**
 * A command the firmware refused (STATUS E, e.g. Code 14 "Invalid command" or Code 45 "Access denied") is absent
 * data, not a failed read. Anything else (connection errors, bad replies) still rejects.
 */
export async function optionalReply(request: Promise<CgminerReply>): Promise<CgminerReply | undefined> {
  try {
    return await request;
  } catch (error) {
    if (error instanceof MinerError && error.code === 'MINER_COMMAND_FAILED') return undefined;
    throw error;
  }
}
