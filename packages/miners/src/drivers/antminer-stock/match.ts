import type { Probe } from '../../driver.js';
import { probeMentions, sectionList } from '../cgminer-family/index.js';

/** Firmware that keeps bmminer's answers but is not Bitmain's: each has (or falls to) its own driver. */
const NOT_STOCK = /hiveon|asicseer|vnish|rwglr|mskminer|bosminer|braiins|luxminer/i;

/**
 * 2 for Bitmain's own firmware: `version` names an Antminer `Type` and Bitmain's miner program (BMMiner, or
 * CGMiner on L3+/D3/E3/Z11), and no other firmware. LuxOS also says "Antminer" but runs LUXminer: not claimed.
 * Custom firmware that mimics stock scores 3 in its own driver.
 */
export function matchStock(probe: Probe): number {
  const version = sectionList(probe.version, 'VERSION')[0];
  if (version === undefined || typeof version.Type !== 'string') return 0;
  const bitmainMiner = 'BMMiner' in version || 'CGMiner' in version;
  if (!bitmainMiner || !/^antminer\b/i.test(version.Type)) return 0;
  return probeMentions(probe, NOT_STOCK) ? 0 : 2;
}
