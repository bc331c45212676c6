import type { Driver } from '../../driver.js';
import { checkAntminerLogin, controlAntminer } from './control.js';
import { matchStock } from './match.js';
import { readAntminer } from './read.js';

/**
 * Bitmain's stock Antminer firmware over the cgminer API (bmminer S9-S19, cgminer L3+/D3/E3/Z11), controlled
 * through its web CGI. `sleep` works on X17 and X19+ only; older models answer MINER_UNSUPPORTED at run time, as
 * do models without `blink.cgi` for `led`.
 *
 * Not declared: `restart-mining` and `power-limit` (no stock API for them), and `power-mode`, because stock has
 * no high-power mode: X19+ `miner-mode` is 0 normal and 3 low power (pyasic; proto-fleet's constant says 2, but
 * pyasic's 3 is the value its users run against stock firmware), and pyasic maps "high" to normal. A capability
 * that fails for one of its three modes would be a promise the driver cannot keep. `set-login` changes the web
 * password (X19+ `passwd.cgi`; the user stays `root`).
 */
export const antminerStock: Driver = {
  id: 'antminer-stock',
  name: 'Antminer (stock firmware)',
  match: matchStock,
  read: (clients) => readAntminer(clients),
  capabilities: ['reboot', 'set-pools', 'led', 'sleep', 'set-login'],
  control: controlAntminer,
  checkLogin: checkAntminerLogin,
};

// For custom Antminer firmware that answers like stock and composes this driver's reading and control.
export { controlAntminer } from './control.js';
export { readAntminer } from './read.js';
export type { AntminerStats } from './stats.js';
