import {
  type ConnectOptions,
  connectClients,
  type Driver,
  driverById,
  identify,
  MinerError,
} from '@hashinsight/miners';
import type { ReadMiner } from './poller.js';

/**
 * Reads each miner through the driver the inventory names (no identification request), else identifies it first.
 * A reply the driver cannot read sends the miner back through identification next time: its firmware may have
 * changed.
 */
export function driverReader(options: ConnectOptions): ReadMiner {
  const learned = new Map<string, Driver>();
  const suspect = new Set<string>();
  return async (target) => {
    const clients = connectClients(target.ip, { ...options, port: target.port });
    let driver = suspect.has(target.minerId)
      ? undefined
      : (learned.get(target.minerId) ??
        (target.driver === undefined ? undefined : driverById(target.driver)));
    if (driver === undefined) {
      driver = (await identify(clients)).driver;
      suspect.delete(target.minerId);
      learned.set(target.minerId, driver);
    }
    try {
      return { reading: await driver.read(clients), driver: driver.id };
    } catch (error) {
      if (error instanceof MinerError && ['MINER_BAD_REPLY', 'MINER_COMMAND_FAILED'].includes(error.code)) {
        suspect.add(target.minerId);
      }
      throw error;
    }
  };
}
