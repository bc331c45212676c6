import type { MinerClients } from '../../driver.js';
import type { Reading } from '../../reading.js';
import type { CgminerReply } from '../../transports/cgminer/index.js';
import {
  expectedHashrateMhs,
  hashrateMhs,
  optionalReply,
  parsePools,
  parseSummary,
  parseVersion,
  sectionList,
  vendorOf,
} from '../cgminer-family/index.js';

/**
 * One board per device of a `devs` reply (MH/s or GH/s, whatever the short window is called); °C temperatures.
 * A device without any rate is not a board report (some forks answer `devs` with per-chip share counters only).
 */
function boardsOf(devs: CgminerReply | undefined): Reading['boards'] {
  const rated = sectionList(devs, 'DEVS').filter((dev) =>
    Object.keys(dev).some((key) => /^[GM]HS /.test(key)),
  );
  return rated.map((dev, index) => {
    const temperature = Number(dev.Temperature ?? dev.temperature);
    return {
      index: Number.isSafeInteger(dev.ASC) ? (dev.ASC as number) : index,
      hashrateMhs: hashrateMhs(dev, 'short'),
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
  const version = await optionalReply(clients.cgminer('version'));
  const pools = await optionalReply(clients.cgminer('pools'));
  const devs = await optionalReply(clients.cgminer('devs'));
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
