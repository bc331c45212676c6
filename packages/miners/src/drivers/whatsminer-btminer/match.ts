import type { Probe } from '../../driver.js';
import { probeMentions } from '../cgminer-family/index.js';

/**
 * 2 for MicroBT's firmware (asic-protocols.md §4): btminer names itself in its STATUS Description ("btminer");
 * older cgminer 4.9.2-based builds look like plain cgminer in `version`, so identification asks `devdetails`,
 * whose records carry `Driver: "bitmicro"` and the model ("M30S+_VE40"). No custom firmware mimics btminer.
 */
export function matchWhatsminer(probe: Probe): number {
  return probeMentions(probe, /btminer|bitmicro|whatsminer/i) ? 2 : 0;
}
