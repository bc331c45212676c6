import type { Driver } from '../../driver.js';
import { controlAvalon } from './control.js';
import { matchAvalon } from './match.js';
import { readAvalon } from './read.js';

/** Canaan Avalon on Canaan's cgminer (A7 to A15, Avalon Q), TCP 4028; controls through `ascset`. */
export const avalonCgminer: Driver = {
  id: 'avalon-cgminer',
  name: 'Avalon (Canaan cgminer)',
  match: matchAvalon,
  read: readAvalon,
  capabilities: ['reboot', 'set-pools', 'led', 'sleep'],
  control: controlAvalon,
};
