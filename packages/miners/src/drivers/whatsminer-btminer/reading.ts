import type { Reading } from '../../reading.js';
import { expectedHashrateMhs, minerStatus } from '../cgminer-family/index.js';
import type { WhatsminerSummary } from './parse.js';

/** What one read of a Whatsminer gathered; a sleeping unit (btminer off) may answer nothing but `status`. */
export interface WhatsminerParts {
  summary?: WhatsminerSummary;
  /** `status` says btminer was stopped on purpose. */
  sleeping: boolean;
  /** `Firmware Version` from `status`, for a unit whose `summary` did not answer. */
  statusFirmware?: string;
  /** STATUS Description of the first reply: "btminer", or "cgminer 4.9.2" on older firmware. */
  description: string;
  model?: { model: string; family: string };
  boards: Reading['boards'];
  pools: Reading['pools'];
}

/**
 * The Reading of a Whatsminer. Expected hashrate: `Factory GHS` (the unit's binned rate) when reported, else the
 * catalog's nominal rate for the model. Status follows the cgminer-family rule (`minerStatus`): sleeping when
 * `status` says btmineroff; a stopped fan counts only on an air-cooled unit (2 fans reported, one at 0).
 * Overheating is not judged here: btminer reports no limit in these replies, it raises error codes instead.
 */
export function whatsminerReading(ip: string, parts: WhatsminerParts): Reading {
  const { summary } = parts;
  const measured = {
    hashrateMhs: summary?.hashrateMhs ?? 0,
    hashrateExpectedMhs: summary?.factoryMhs ?? expectedHashrateMhs(parts.model?.family ?? ''),
    boards: parts.boards,
    fansRpm: summary?.fansRpm ?? [],
  };
  const fansExpected = summary?.fansExpected;
  return {
    ip,
    vendor: 'microbt',
    model: parts.model?.model ?? 'unknown',
    firmware: summary?.firmware ?? parts.statusFirmware ?? parts.description,
    ...(summary?.mac === undefined ? {} : { mac: summary.mac }),
    status: minerStatus(measured, { sleeping: parts.sleeping, ...(fansExpected ? { fansExpected } : {}) }),
    ...measured,
    hashrateAvgMhs: summary?.hashrateAvgMhs ?? 0,
    ...(summary?.powerW === undefined ? {} : { powerW: summary.powerW }),
    pools: parts.pools,
    uptimeS: summary?.uptimeS ?? 0,
    errors: summary?.errors ?? [],
  };
}
