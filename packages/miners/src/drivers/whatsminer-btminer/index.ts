import type { Driver } from '../../driver.js';
import { matchWhatsminer } from './match.js';
import { readWhatsminer } from './read.js';

/** MicroBT Whatsminer, stock btminer firmware, API v1/v2 on TCP 4028 (read-only for now). */
export const whatsminerBtminer: Driver = {
  id: 'whatsminer-btminer',
  name: 'Whatsminer (btminer)',
  match: matchWhatsminer,
  read: readWhatsminer,
  capabilities: [],
};
