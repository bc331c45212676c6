import type { Driver } from '../../driver.js';
import { readAntminer } from '../antminer-stock/index.js';
import { probeMentions } from '../cgminer-family/index.js';
import { hiveonStats } from './parse.js';

/**
 * Hiveon firmware on Antminers (S9 to S19): stock's cgminer API with "Hiveon" in the `version` Type, so it
 * outscores stock (2). Its read-only api-groups refuse `devdetails` (Code 45); nothing here needs that command.
 */
export const antminerHiveon: Driver = {
  id: 'antminer-hiveon',
  name: 'Antminer (Hiveon firmware)',
  match: (probe) => (probeMentions(probe, /hiveon/i) ? 3 : 0),
  read: (clients) => readAntminer(clients, hiveonStats),
  capabilities: [],
};
