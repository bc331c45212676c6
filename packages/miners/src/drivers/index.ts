import type { Driver, Probe } from '../driver.js';
import { antminerAsicseer } from './antminer-asicseer/index.js';
import { antminerHiveon } from './antminer-hiveon/index.js';
import { antminerStock } from './antminer-stock/index.js';
import { avalonCgminer } from './avalon-cgminer/index.js';
import { braiinsOs } from './braiins-os/index.js';
import { cgminerGeneric } from './cgminer-generic/index.js';
import { luxos } from './luxos/index.js';
import { vnish } from './vnish/index.js';
import { whatsminerBtminer } from './whatsminer-btminer/index.js';

/** Every firmware driver. Adding a firmware is one folder and one line here. */
export const drivers: readonly Driver[] = [
  antminerStock,
  antminerHiveon,
  antminerAsicseer,
  avalonCgminer,
  braiinsOs,
  cgminerGeneric,
  luxos,
  vnish,
  whatsminerBtminer,
];

/** The driver that claims the probed miner most surely, or undefined when none does. */
export function selectDriver(probe: Probe, candidates: readonly Driver[] = drivers): Driver | undefined {
  let best: { driver: Driver; score: number } | undefined;
  for (const driver of candidates) {
    const score = driver.match(probe);
    if (score > 0 && (best === undefined || score > best.score)) best = { driver, score };
  }
  return best?.driver;
}

export function driverById(id: string): Driver | undefined {
  return drivers.find((driver) => driver.id === id);
}
