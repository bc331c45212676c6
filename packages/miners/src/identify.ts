import type { Driver, MinerClients, Probe } from './driver.js';
import { selectDriver } from './drivers/index.js';
import { MinerError } from './errors.js';
import type { CgminerReply } from './transports/cgminer/index.js';

/** A refused command (STATUS E) tells identification something too: the firmware is there but says no. */
async function answer(request: Promise<CgminerReply>): Promise<CgminerReply | undefined> {
  try {
    return await request;
  } catch (error) {
    if (error instanceof MinerError && error.code === 'MINER_COMMAND_FAILED') return undefined;
    throw error;
  }
}

/**
 * Finds the driver for a miner with as few requests as possible, in this order (each request has the transport's
 * own connect and total deadlines):
 * 1. cgminer `version`: enough for every driver that recognises its firmware from it (one request).
 * 2. cgminer `devdetails`, only when no driver was sure (score below 2) after step 1: custom firmware that mimics
 *    stock answers shows itself there (e.g. Braiins OS, Whatsminer model names).
 * A miner no driver claims is MINER_UNIDENTIFIED; a connection failure rejects with its own MinerError.
 */
export async function identify(clients: MinerClients): Promise<{ driver: Driver; probe: Probe }> {
  const probe: Probe = {};
  const version = await answer(clients.cgminer('version'));
  if (version) probe.version = version;
  let driver = selectDriver(probe);
  if (driver === undefined || driver.match(probe) < 2) {
    const devdetails = await answer(clients.cgminer('devdetails'));
    if (devdetails) probe.devdetails = devdetails;
    driver = selectDriver(probe) ?? driver;
  }
  if (driver === undefined) {
    throw new MinerError(
      'MINER_UNIDENTIFIED',
      `${clients.ip} answers the cgminer API but no driver recognises it`,
    );
  }
  return { driver, probe };
}
