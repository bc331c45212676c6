import type { Driver } from '../../driver.js';
import { probeMentions } from '../cgminer-family/index.js';
import { controlBraiinsOs } from './control.js';
import { readBraiinsOs } from './read.js';

/**
 * Braiins OS / BOS+ on Antminers: BOSminer or BOSer behind the cgminer API. It names itself in `version`
 * (`"BOSminer+": ..`, Description "BOSer boser-openwrt ..") and in every reply's Description, so a probe that
 * says so scores 3, above stock Antminer (2) and generic cgminer (1). Sleep is `pause`/`resume` over the cgminer
 * API (BOS+); pools, reboot, restart, locate LED and power target go over the REST API of BOS ≥ 25.07 (control.ts).
 */
export const braiinsOs: Driver = {
  id: 'braiins-os',
  name: 'Braiins OS (BOSminer / BOSer)',
  match: (probe) => (probeMentions(probe, /bosminer|boser/i) ? 3 : 0),
  read: readBraiinsOs,
  capabilities: ['sleep', 'set-pools', 'reboot', 'restart-mining', 'led', 'power-limit'],
  loginKind: 'api',
  control: controlBraiinsOs,
};
