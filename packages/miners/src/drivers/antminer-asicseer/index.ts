import type { Driver } from '../../driver.js';
import { readAntminer } from '../antminer-stock/index.js';
import { probeMentions } from '../cgminer-family/index.js';
import { asicseerStats } from './parse.js';

/**
 * asicseer firmware on the Antminer S9: stock's cgminer API with "asicseer" in its bmminer version and STATUS
 * description, so it outscores stock (2).
 */
export const antminerAsicseer: Driver = {
  id: 'antminer-asicseer',
  name: 'Antminer (asicseer firmware)',
  match: (probe) => (probeMentions(probe, /asicseer/i) ? 3 : 0),
  read: (clients) => readAntminer(clients, asicseerStats),
  capabilities: [],
};
