import type { Probe } from '../../driver.js';
import { probeMentions } from '../cgminer-family/index.js';

/**
 * 2 for Canaan's cgminer (asic-protocols.md §4): `version` names the product (`PROD` "AvalonMiner 15-194",
 * "Avalon Q") and `devdetails` the driver ("avalon"). Plain cgminer scores 1, so an Avalon is never generic.
 */
export function matchAvalon(probe: Probe): number {
  return probeMentions(probe, /avalon/i) ? 2 : 0;
}
