import type { Driver, Probe } from '../../driver.js';
import { probeMentions, sectionList } from '../cgminer-family/index.js';
import { controlVnish } from './control.js';
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
 * Read over the cgminer API; commanded over VNish's web API (`/api/v1` behind `unlock`, control.ts): its cgminer
 * API is a reimplementation that serves reads only (it even refuses `version`).
 */
export const vnish: Driver = {
  id: 'vnish',
  name: 'VNish (AnthillOS)',
  match,
  read: readVnish,
  capabilities: ['set-pools', 'sleep', 'restart-mining', 'reboot', 'led', 'power-limit'],
  control: controlVnish,
};
