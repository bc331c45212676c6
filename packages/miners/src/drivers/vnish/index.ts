import type { Driver, Probe } from '../../driver.js';
import { probeMentions, sectionList } from '../cgminer-family/index.js';
import { readVnish } from './read.js';

/**
 * VNish (AnthillOS) on Antminers. Old builds name themselves in `version` ("Antminer S9 (vnish 3.8.6)"). VNish
 * 1.2 refuses `version` (STATUS E, Code 0) yet answers `devdetails` with a Bitmain driver ("bitmain_s21pro_drv"),
 * which stock Antminers never do: they answer `version` and deny `devdetails` (Code 45). Either way it scores 3,
 * above stock Antminer (2) and generic cgminer (1).
 */
function match(probe: Probe): number {
  if (probeMentions(probe, /vnish/i)) return 3;
  const bitmainDriver = sectionList(probe.devdetails, 'DEVDETAILS').some(
    (dev) => typeof dev.Driver === 'string' && /^bitmain_/i.test(dev.Driver),
  );
  return probe.version === undefined && bitmainDriver ? 3 : 0;
}

/**
 * No controls: VNish's cgminer API is its own reimplementation that serves the reads (it even refuses `version`),
 * and every control VNish documents (mining stop/start, find-miner, settings, reboot) is on its HTTP API, which
 * needs its own login. Nothing recorded shows a write over 4028.
 */
export const vnish: Driver = {
  id: 'vnish',
  name: 'VNish (AnthillOS)',
  match,
  read: readVnish,
  capabilities: [],
};
