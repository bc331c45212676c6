import type { CgminerReply } from '../../transports/cgminer/index.js';
import { MAX_HASHRATE_MHS, numberAt, sectionList } from './parse.js';

/**
 * The hashrate the firmware rates its boards at: the sum of `devs` `Nominal MHS` (BOSminer, LuxOS), in MH/s; 0
 * when no device says.
 */
export function nominalMhs(devs: CgminerReply | undefined): number {
  const nominal = sectionList(devs, 'DEVS')
    .filter((dev) => dev['Nominal MHS'] !== undefined)
    .reduce((sum, dev) => sum + numberAt(dev, 'Nominal MHS', MAX_HASHRATE_MHS), 0);
  return Math.round(nominal);
}
