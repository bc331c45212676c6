import { MinerError } from '../../errors.js';
import { isRecord } from '../../json.js';
import { findModel } from '../../models.js';
import type { Reading } from '../../reading.js';
import type { CgminerReply } from '../../transports/cgminer/index.js';

export type SummaryValues = Pick<Reading, 'hashrateMhs' | 'hashrateAvgMhs' | 'uptimeS'> & {
  accepted: number;
  rejected: number;
  stale: number;
};

/**
 * Totals from a `summary` reply. bmminer reports GH/s (`GHS 5s`, sometimes as a string), cgminer MH/s
 * (`MHS 5s`, or `MHS 30s` with `--log 30`); all become integer MH/s. Counters a firmware leaves out count as 0.
 */
export function parseSummary(reply: CgminerReply): SummaryValues {
  return parseTotals(firstOf(reply, 'SUMMARY'));
}

/**
 * The same totals from any record with summary keys: a SUMMARY, or the data record of a bmminer-style `stats`
 * reply (VNish, LuxOS), which repeats `GHS 5s`, `GHS av` and `Elapsed`.
 */
export function parseTotals(summary: Record<string, unknown>): SummaryValues {
  return {
    hashrateMhs: hashrateMhs(summary, 'short'),
    hashrateAvgMhs: hashrateMhs(summary, 'av'),
    uptimeS: Math.round(numberAt(summary, 'Elapsed', MAX_UPTIME_S)),
    accepted: counter(summary, 'Accepted'),
    rejected: counter(summary, 'Rejected'),
    stale: counter(summary, 'Stale'),
  };
}

/** Model and firmware from a `version` reply; `Type` is e.g. "Antminer S19 Pro" or "Antminer S9\nV1.3.58". */
export function parseVersion(reply: CgminerReply): { model: string; firmware: string } {
  const version = firstOf(reply, 'VERSION');
  const type = typeof version.Type === 'string' ? version.Type : '';
  // Old firmware appends a line with its build, pyasic cuts custom suffixes at " (".
  const model = type.split('\n')[0]!.split(' (')[0]!.trim();
  const miner = ['BMMiner', 'CGMiner'].find((key) => typeof version[key] === 'string');
  return {
    model: model === '' ? 'unknown' : model,
    firmware: miner === undefined ? reply.status.description : `${miner} ${version[miner]}`,
  };
}

/** Vendor from the model name as the firmware reports it. */
export function vendorOf(model: string): Reading['vendor'] {
  const name = model.toLowerCase();
  if (name === 'unknown') return 'unknown';
  if (name.startsWith('antminer')) return 'bitmain';
  if (name.startsWith('whatsminer')) return 'microbt';
  if (name.startsWith('avalon')) return 'canaan';
  return 'other';
}

/** The first object of a reply section (`SUMMARY`, `VERSION`, ...); a reply without it is a bad reply. */
export function firstOf(reply: CgminerReply, section: string): Record<string, unknown> {
  const list = reply.body[section];
  const first: unknown = Array.isArray(list) ? list[0] : undefined;
  if (!isRecord(first)) throw new MinerError('MINER_BAD_REPLY', `reply has no ${section} section`);
  return first;
}

/** Every object of a reply section; an absent reply or section is an empty list. */
export function sectionList(reply: CgminerReply | undefined, section: string): Record<string, unknown>[] {
  const list = reply?.body[section];
  return Array.isArray(list) ? list.filter(isRecord) : [];
}

// Bounds no real miner reaches: a reply beyond them is broken or hostile, not data to store.
export const MAX_HASHRATE_MHS = 1e12; // 1 EH/s from one machine
export const MAX_UPTIME_S = 2 ** 32 - 1; // the wire contract's uint32
export const MAX_COUNTER = Number.MAX_SAFE_INTEGER;
export const MIN_TEMP_C = -60; // an outdoor site in winter, not below
export const MAX_TEMP_C = 200; // no board survives it
export const MAX_FAN_RPM = 100_000;
export const MAX_POWER_W = 100_000; // a whole immersion tank, not one miner

/** A record's hashrate in integer MH/s from its GHS or MHS key, the short window (5 s, 30 s, ...) or the average. */
export function hashrateMhs(summary: Record<string, unknown>, window: 'short' | 'av'): number {
  const name = window === 'av' ? 'av' : shortWindow(summary);
  if (summary[`GHS ${name}`] !== undefined) {
    return Math.round(numberAt(summary, `GHS ${name}`, MAX_HASHRATE_MHS / 1000) * 1000);
  }
  return Math.round(numberAt(summary, `MHS ${name}`, MAX_HASHRATE_MHS));
}

/**
 * cgminer names its short window after `--log` (`MHS %ds`): `5s` by default, `30s` on Avalon A10 and later, so
 * the key is found rather than assumed.
 */
function shortWindow(summary: Record<string, unknown>): string {
  const key = Object.keys(summary).find((name) => /^[GM]HS \d+s$/.test(name));
  return summary['GHS 5s'] !== undefined || summary['MHS 5s'] !== undefined || key === undefined
    ? '5s'
    : key.slice(4);
}

/** A share or error counter; absent counts as 0. */
export function counter(summary: Record<string, unknown>, key: string): number {
  return summary[key] === undefined ? 0 : Math.round(numberAt(summary, key, MAX_COUNTER));
}

/** A number (or numeric string) from `min` (default 0) to `max`; anything else makes the whole reply a bad one. */
export function numberAt(section: Record<string, unknown>, key: string, max: number, min = 0): number {
  const value = section[key];
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isFinite(number)) {
    throw new MinerError('MINER_BAD_REPLY', `${key} is not a number: ${JSON.stringify(value)?.slice(0, 80)}`);
  }
  if (number < min || number > max) {
    throw new MinerError('MINER_BAD_REPLY', `${key} is out of range: ${number}`);
  }
  return number;
}

/** The hashrate the model should make at stock settings, from the catalog; 0 for a model it does not know. */
export function expectedHashrateMhs(model: string): number {
  const nominal = findModel(model);
  return nominal === undefined ? 0 : Math.round(nominal.hashrateTh * 1_000_000);
}

/**
 * A temperature in °C. Absent, or 0, which cgminer-family firmware reports for a sensor it does not have, is
 * undefined; anything outside MIN_TEMP_C..MAX_TEMP_C is a bad reply.
 */
export function temperatureAt(section: Record<string, unknown>, key: string): number | undefined {
  if (section[key] === undefined) return undefined;
  const celsius = numberAt(section, key, MAX_TEMP_C, MIN_TEMP_C);
  return celsius === 0 ? undefined : celsius;
}
