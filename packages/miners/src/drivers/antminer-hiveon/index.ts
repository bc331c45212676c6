import type { Driver } from '../../driver.js';
import { controlAntminer, readAntminer } from '../antminer-stock/index.js';
import { probeMentions } from '../cgminer-family/index.js';
import { hiveonStats } from './parse.js';

/**
 * Hiveon firmware on Antminers (S9 to S19): stock's cgminer API with "Hiveon" in the `version` Type, so it
 * outscores stock (2). Its read-only api-groups refuse `devdetails` (Code 45); nothing here needs that command.
 * It keeps stock's web CGI: `set_miner_conf.cgi` takes stock's form (answering "ok" twice) and `reboot.cgi`
 * reboots (foreman drives both with its stock actions). Stock's `blink.cgi` and sleep mode are not known to
 * exist on Hiveon, so `led` and `sleep` are not declared.
 */
export const antminerHiveon: Driver = {
  id: 'antminer-hiveon',
  name: 'Antminer (Hiveon firmware)',
  match: (probe) => (probeMentions(probe, /hiveon/i) ? 3 : 0),
  read: (clients) => readAntminer(clients, hiveonStats),
  capabilities: ['reboot', 'set-pools'],
  control: controlAntminer,
};
