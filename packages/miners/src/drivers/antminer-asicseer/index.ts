import type { Driver } from '../../driver.js';
import { controlAntminer, readAntminer } from '../antminer-stock/index.js';
import { probeMentions } from '../cgminer-family/index.js';
import { asicseerStats } from './parse.js';

/**
 * asicseer firmware on the Antminer S9: stock's cgminer API with "asicseer" in its bmminer version and STATUS
 * description, so it outscores stock (2). It keeps stock's `reboot.cgi`, but its pools are managed from asicseer's
 * remote config, not the miner (foreman refuses to change them locally: "Must be changed from seer Remote
 * Config"), so only `reboot` is declared.
 */
export const antminerAsicseer: Driver = {
  id: 'antminer-asicseer',
  name: 'Antminer (asicseer firmware)',
  match: (probe) => (probeMentions(probe, /asicseer/i) ? 3 : 0),
  read: (clients) => readAntminer(clients, asicseerStats),
  capabilities: ['reboot'],
  control: controlAntminer,
};
