import { MinerError } from '../../errors.js';
import type { Algorithm } from '../../reading.js';
import type { CgminerReply } from '../../transports/cgminer/index.js';
import {
  MAX_HASHRATE_MHS,
  MAX_TEMP_C,
  MAX_UPTIME_S,
  MIN_TEMP_C,
  numberAt,
  numberedKeys,
  parseVersion,
  sectionList,
  statsData,
  statsFans,
} from '../cgminer-family/index.js';

/** One hash board (chain) as `stats` reports it; the rate is MH/s before rounding. */
export interface AntminerBoard {
  /** 0-based: bmminer numbers chains from 1 (an S9 uses 6-8), the Reading from 0. */
  index: number;
  rateMhs: number;
  boardTempC?: number;
  chipTempC?: number;
  chips: number;
  chipsExpected: number;
  serial?: string;
}

/**
 * What one Antminer `stats` reply says, in millions of the algorithm's unit per second before rounding: MH/s, or
 * MSol/s for Equihash (a Z11 makes 0.14 MSol/s).
 */
export interface AntminerStats {
  model: string;
  /** Absent: SHA-256d. */
  algorithm?: Algorithm;
  firmware: string;
  /** `miner_id`: the control board's unique id. */
  serial?: string;
  /** Reported by some custom firmware only (asicseer). */
  hostname?: string;
  rateMhs: number;
  rateAvgMhs: number;
  /** `total_rateideal`: what the firmware expects at its current settings; absent when it does not say. */
  idealMhs?: number;
  uptimeS: number;
  /** X17/X19 work mode: 254 is sleep. Absent on older firmware. */
  mode?: number;
  boards: AntminerBoard[];
  fansRpm: number[];
  /** `fan_num`: how many fans the firmware counts. */
  fansExpected?: number;
  /** The data record of the reply, for fields only one custom firmware reports. */
  data: Record<string, unknown>;
}

/** More chips than any Antminer chain has; beyond it a reply is broken or hostile. */
const MAX_CHIPS = 10_000;

/** MH/s in one unit of `rate_unit`. */
const RATE_UNITS: Readonly<Record<string, number>> = { KH: 0.001, MH: 1, GH: 1000, TH: 1_000_000 };

/**
 * Reads an Antminer `stats` reply: STATS[0] is the version block (BMMiner/CGMiner, Miner, Type), STATS[1] the data
 * (old firmware sends them as `}{`, which the transport repairs). Numbers may be strings; a value that is not a
 * number in range makes the whole reply a bad one, never a made-up reading.
 */
export function parseStats(reply: CgminerReply): AntminerStats {
  const data = statsData(reply);
  const header = sectionList(reply, 'STATS').find((record) => 'Type' in record) ?? {};
  const { model, firmware } = identityOf(reply, header);
  const algorithm = algorithmOf(model);
  const unit = mhsPerUnit(algorithm, data.rate_unit, 'CGMiner' in header);
  const rate = (key: string) => numberAt(data, key, MAX_HASHRATE_MHS / unit) * unit;
  const ideal = data.total_rateideal === undefined ? 0 : rate('total_rateideal');
  // An all-zero id is a control board that never had one written, not an identity shared by every such miner.
  const serial =
    typeof data.miner_id === 'string' && !/^0*$/.test(data.miner_id.trim()) ? data.miner_id.trim() : '';
  return {
    model,
    ...(algorithm === undefined ? {} : { algorithm }),
    firmware,
    ...(serial === '' ? {} : { serial }),
    rateMhs: rate('GHS 5s'),
    rateAvgMhs: rate('GHS av'),
    // A sleeping X17 reports an ideal of 0: that says nothing about what it should make.
    ...(ideal > 0 ? { idealMhs: ideal } : {}),
    uptimeS: Math.round(numberAt(data, 'Elapsed', MAX_UPTIME_S)),
    ...(data.Mode === undefined ? {} : { mode: numberAt(data, 'Mode', 255) }),
    boards: chainNumbers(data).flatMap((n) => boardOf(data, n, unit) ?? []),
    // bmminer writes 0 for an empty fan slot (the S9 uses slots 5-6): those are not fans.
    ...statsFans(data),
    data,
  };
}

/**
 * Model and firmware from the version block, as `version` would give them. Blissz (a custom build for the cgminer
 * Antminers) appends itself to `Type` ("Antminer D3 Blissz v2.06 beta"): it belongs to the firmware, not the model.
 */
function identityOf(
  reply: CgminerReply,
  header: Record<string, unknown>,
): { model: string; firmware: string } {
  const { model, firmware } = parseVersion({ status: reply.status, body: { VERSION: [header] } });
  const custom = /\s+(blissz\b.*)$/i.exec(model);
  if (custom === null) return { model, firmware };
  return { model: model.slice(0, custom.index), firmware: `${firmware} (${custom[1]})` };
}

/**
 * MH/s per unit of the `GHS` keys. `rate_unit` says it when present. Otherwise bmminer (SHA-256) reports GH/s,
 * while Bitmain's cgminer builds for the altcoin models reuse the `GHS` keys for MH/s (L3+ scrypt, D3 X11,
 * E3 ethash: an L3+ makes ~504 MH/s and reports "504.56") and kSol/s (Z9, Z11 Equihash: ~135 kSol/s).
 */
function mhsPerUnit(algorithm: Algorithm | undefined, rateUnit: unknown, cgminerBuild: boolean): number {
  if (rateUnit !== undefined) {
    const unit = RATE_UNITS[String(rateUnit).toUpperCase().replace(/\/S$/, '')];
    if (unit === undefined)
      throw new MinerError('MINER_BAD_REPLY', `unknown rate_unit ${JSON.stringify(rateUnit)}`);
    return unit;
  }
  if (!cgminerBuild || algorithm === undefined) return 1000;
  return algorithm === 'equihash' ? 0.001 : 1;
}

/** Bitmain names its altcoin lines by letter: L scrypt, D X11, E ethash, Z Equihash; the rest are SHA-256d. */
function algorithmOf(model: string): Algorithm | undefined {
  const letter = /^antminer ([ldez])\d/i.exec(model)?.[1]?.toLowerCase();
  const byLetter: Record<string, Algorithm> = { l: 'scrypt', d: 'x11', e: 'ethash', z: 'equihash' };
  return letter === undefined ? undefined : byLetter[letter];
}

/** Chain numbers the reply has keys for (1-16 on bmminer, 1-3 and 8-13 on an E3), in order. */
function chainNumbers(data: Record<string, unknown>): number[] {
  const numbers = ['chain_acn', 'chain_acs', 'chain_rate'].flatMap((prefix) => numberedKeys(data, prefix));
  return [...new Set(numbers)].sort((a, b) => a - b);
}

/**
 * One board, or undefined for an empty slot (no chips found and no chip status). `chain_acs` shows each chip:
 * 'o' hashing, 'x' found but not hashing, '-' missing; chips are the hashing ones, expected chips every position.
 * Firmware without `chain_acs` only counts the chips it found (`chain_acn`).
 */
function boardOf(data: Record<string, unknown>, n: number, unit: number): AntminerBoard | undefined {
  const found = data[`chain_acn${n}`] === undefined ? 0 : numberAt(data, `chain_acn${n}`, MAX_CHIPS);
  const status = data[`chain_acs${n}`] ?? '';
  if (typeof status !== 'string') throw new MinerError('MINER_BAD_REPLY', `chain_acs${n} is not a string`);
  const positions = status.replace(/\s/g, '');
  if (found === 0 && positions === '') return undefined;
  const rateKey = `chain_rate${n}`;
  const rate =
    data[rateKey] === undefined || data[rateKey] === ''
      ? 0
      : numberAt(data, rateKey, MAX_HASHRATE_MHS / unit);
  const boardTempC = hottest(data, `temp_pcb${n}`, `temp${n}`);
  const chipTempC = hottest(data, `temp_chip${n}`, `temp2_${n}`);
  const serial = typeof data[`chain_SN${n}`] === 'string' ? (data[`chain_SN${n}`] as string).trim() : '';
  return {
    index: n - 1,
    rateMhs: rate * unit,
    ...(boardTempC === undefined ? {} : { boardTempC }),
    ...(chipTempC === undefined ? {} : { chipTempC }),
    chips: positions === '' ? Math.round(found) : positions.split('o').length - 1,
    chipsExpected: Math.max(Math.round(found), positions.length),
    // X17 writes "unknow" where it could not read the board's EEPROM.
    ...(serial === '' || /^unknown?$/i.test(serial) ? {} : { serial }),
  };
}

/**
 * The hottest sensor of a board. X17/X19 send every sensor as "62-62-77-77" (`temp_pcb`, `temp_chip`); older
 * firmware one number per board (`temp` the PCB, `temp2_` the chips). 0 is a missing sensor and a value below
 * MIN_TEMP_C a failed one (a stock S9 reports -83): neither is a temperature. Above MAX_TEMP_C is a bad reply.
 */
function hottest(data: Record<string, unknown>, sensorsKey: string, singleKey: string): number | undefined {
  const key = data[sensorsKey] === undefined ? singleKey : sensorsKey;
  const temperatures = sensorValues(data[key], key).filter((value) => value !== 0 && value >= MIN_TEMP_C);
  for (const value of temperatures) {
    if (value > MAX_TEMP_C) throw new MinerError('MINER_BAD_REPLY', `${key} is out of range: ${value}`);
  }
  return temperatures.length === 0 ? undefined : Math.max(...temperatures);
}

function sensorValues(value: unknown, key: string): number[] {
  if (value === undefined || value === '') return [];
  if (typeof value === 'number' && Number.isFinite(value)) return [value];
  if (typeof value === 'string' && /^\d+(?:\.\d+)?(?:-\d+(?:\.\d+)?)*$/.test(value.trim())) {
    return value.trim().split('-').map(Number);
  }
  throw new MinerError(
    'MINER_BAD_REPLY',
    `${key} is not a temperature: ${JSON.stringify(value)?.slice(0, 80)}`,
  );
}
