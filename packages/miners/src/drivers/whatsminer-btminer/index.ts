import type { Driver } from '../../driver.js';
import { checkWhatsminerLogin, controlWhatsminer } from './control.js';
import { matchWhatsminer } from './match.js';
import { readWhatsminer } from './read.js';

/**
 * MicroBT Whatsminer, stock btminer firmware, API v1/v2 on TCP 4028: read over the plain cgminer-style commands,
 * controlled over btminer's encrypted privileged API (control.ts), which needs the write API enabled and the
 * admin password (changed once from `admin` with WhatsMinerTool, as MicroBT requires).
 */
export const whatsminerBtminer: Driver = {
  id: 'whatsminer-btminer',
  name: 'Whatsminer (btminer)',
  match: matchWhatsminer,
  read: readWhatsminer,
  capabilities: [
    'reboot',
    'restart-mining',
    'set-pools',
    'led',
    'power-mode',
    'power-limit',
    'sleep',
    'set-login',
  ],
  control: controlWhatsminer,
  checkLogin: checkWhatsminerLogin,
  loginKind: 'api',
};
