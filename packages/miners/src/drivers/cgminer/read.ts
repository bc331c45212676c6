import { MinerError } from '../../errors.js';
import { findModel } from '../../models.js';
import type { Reading } from '../../reading.js';
import type { CgminerReply } from '../../transports/cgminer/index.js';
import { parseSummary, parseVersion, vendorOf } from './parse.js';

/** Sends one command to the miner being read; the transport behind it owns sockets, timeouts and limits. */
export type CgminerSend = (command: string) => Promise<CgminerReply>;

/**
 * The skeleton poll: `summary` for the numbers, then `version` for model and firmware, one after the other
 * (some firmware answers one command at a time). A miner that refuses `version` is still read, as model unknown.
 */
export async function readCgminer(ip: string, send: CgminerSend): Promise<Reading> {
  const summaryReply = await send('summary');
  const summary = parseSummary(summaryReply);
  const version = await send('version').then(parseVersion, (error: unknown) => {
    if (error instanceof MinerError && error.code === 'MINER_COMMAND_FAILED') return undefined;
    throw error;
  });
  const model = version?.model ?? 'unknown';
  const nominal = findModel(model);
  return {
    ip,
    vendor: vendorOf(model),
    model,
    firmware: version?.firmware ?? summaryReply.status.description,
    status: summary.hashrateMhs > 0 ? 'ok' : 'offline',
    hashrateMhs: summary.hashrateMhs,
    hashrateAvgMhs: summary.hashrateAvgMhs,
    hashrateExpectedMhs: nominal === undefined ? 0 : Math.round(nominal.hashrateTh * 1_000_000),
    boards: [],
    fansRpm: [],
    pools: [],
    uptimeS: summary.uptimeS,
    errors: [],
  };
}
