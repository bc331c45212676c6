import type { Driver, MinerClients } from './driver.js';
import { cgminerGeneric } from './drivers/cgminer-generic/index.js';
import { MinerError } from './errors.js';
import { identify } from './identify.js';
import type { Reading } from './reading.js';
import { type CgminerOptions, cgminerCommand } from './transports/cgminer/index.js';

/** Clients bound to one miner over the real transports, with the given limits. */
export function connectClients(ip: string, options: CgminerOptions = {}): MinerClients {
  return { ip, cgminer: (command, parameter) => cgminerCommand(ip, command, parameter, options) };
}

/** Reads a miner with the generic cgminer driver, without identifying it first. */
export function readCgminerMiner(ip: string, options?: CgminerOptions): Promise<Reading> {
  return cgminerGeneric.read(connectClients(ip, options));
}

/**
 * Reads miners through the driver that identified each one, remembered per IP so a poll costs no extra request.
 * A reply the driver cannot read sends the miner back through identification next time (its firmware may have
 * changed).
 */
export class MinerReader {
  private readonly driverByIp = new Map<string, Driver>();

  constructor(private readonly options: CgminerOptions = {}) {}

  async read(ip: string): Promise<Reading> {
    const clients = connectClients(ip, this.options);
    let driver = this.driverByIp.get(ip);
    if (driver === undefined) {
      driver = (await identify(clients)).driver;
      this.driverByIp.set(ip, driver);
    }
    try {
      return await driver.read(clients);
    } catch (error) {
      if (error instanceof MinerError && ['MINER_BAD_REPLY', 'MINER_COMMAND_FAILED'].includes(error.code)) {
        this.driverByIp.delete(ip);
      }
      throw error;
    }
  }

  /** The driver last used for `ip`, if any. */
  driverOf(ip: string): Driver | undefined {
    return this.driverByIp.get(ip);
  }
}
