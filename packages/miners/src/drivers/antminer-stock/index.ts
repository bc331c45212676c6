import type { Driver } from '../../driver.js';
import { matchStock } from './match.js';
import { readAntminer } from './read.js';

/** Bitmain's stock Antminer firmware over the cgminer API (bmminer S9-S19, cgminer L3+/D3/E3/Z11). */
export const antminerStock: Driver = {
  id: 'antminer-stock',
  name: 'Antminer (stock firmware)',
  match: matchStock,
  read: (clients) => readAntminer(clients),
  capabilities: [],
};

// For custom Antminer firmware that answers like stock and composes this driver's reading.
export { readAntminer } from './read.js';
export type { AntminerStats } from './stats.js';
