import type { Driver } from '../../driver.js';
import { probeMentions } from '../cgminer-family/index.js';
import { controlLuxos } from './control.js';
import { readLuxos } from './read.js';

/**
 * LuxOS on Antminers: LUXminer behind the cgminer API. `version` has a `LUXminer` key and every Description says
 * "LUXminer ..", so a probe that says so scores 3, above stock Antminer (2) and generic cgminer (1). Controls go
 * through LUXminer's own session-locked commands (control.ts).
 */
export const luxos: Driver = {
  id: 'luxos',
  name: 'LuxOS (LUXminer)',
  match: (probe) => (probeMentions(probe, /luxminer/i) ? 3 : 0),
  read: readLuxos,
  capabilities: ['reboot', 'restart-mining', 'led', 'sleep'],
  control: controlLuxos,
};
