import type { MinerClients } from '../../driver.js';
import { MinerError } from '../../errors.js';
import type { Reading } from '../../reading.js';
import type { CgminerReply } from '../../transports/cgminer/index.js';
import {
  expectedHashrateMhs,
  MAX_HASHRATE_MHS,
  numberAt,
  parsePools,
  parseSummary,
  parseVersion,
  sectionList,
  vendorOf,
} from '../cgminer-family/index.js';

/** A reply the firmware refused (STATUS E, e.g. "Invalid command") is absent data, not a failed read. */
async function optional(request: Promise<CgminerReply>): Promise<CgminerReply | undefined> {
  try {
    return await request;
  } catch (error) {
    if (error instanceof MinerError && error.code === 'MINER_COMMAND_FAILED') return undefined;
    throw error;
  }
}

/** One board per device of a `devs` reply: cgminer reports MH/s, some forks GH/s; `Temperature` in °C. */
function boardsOf(devs: CgminerReply | undefined): Reading['boards'] {
  return sectionList(devs, 'DEVS').map((dev, index) => {
    const ghs = dev['GHS 5s'] !== undefined;
    const rate = numberAt(dev, ghs ? 'GHS 5s' : 'MHS 5s', ghs ? MAX_HASHRATE_MHS / 1000 : MAX_HASHRATE_MHS);
    const temperature = Number(dev.Temperature ?? dev.temperature);
    return {
      index: Number.isSafeInteger(dev.ASC) ? (dev.ASC as number) : index,
      hashrateMhs: Math.round(ghs ? rate * 1000 : rate),
      ...(Number.isFinite(temperature) && temperature > 0 ? { chipTempC: temperature } : {}),
      chips: 0,
      chipsExpected: 0,
    };
  });
}

/**
 * Any cgminer-API miner, one command at a time (some firmware answers only one per connection): `summary` for the
 * totals, then `version`, `pools` and `devs`, each optional. A miner that refuses one is still read.
 */
export async function readGenericCgminer(clients: MinerClients): Promise<Reading> {
  const summaryReply = await clients.cgminer('summary');
  const summary = parseSummary(summaryReply);
  const version = await optional(clients.cgminer('version'));
  const pools = await optional(clients.cgminer('pools'));
  const devs = await optional(clients.cgminer('devs'));
  const { model, firmware } = version ? parseVersion(version) : { model: 'unknown', firmware: '' };
  return {
    ip: clients.ip,
    vendor: vendorOf(model),
    model,
    firmware: firmware || summaryReply.status.description,
    status: summary.hashrateMhs > 0 ? 'ok' : 'offline',
    hashrateMhs: summary.hashrateMhs,
    hashrateAvgMhs: summary.hashrateAvgMhs,
    hashrateExpectedMhs: expectedHashrateMhs(model),
    boards: boardsOf(devs),
    fansRpm: [],
    pools: pools ? parsePools(pools) : [],
    uptimeS: summary.uptimeS,
    errors: [],
  };
}
