import { MinerError } from '../../errors.js';
import type { Reading } from '../../reading.js';
import type { CgminerReply } from '../../transports/cgminer/index.js';
import {
  MAX_COUNTER,
  MAX_FAN_RPM,
  MAX_HASHRATE_MHS,
  MAX_POWER_W,
  MAX_TEMP_C,
  MAX_UPTIME_S,
  MIN_TEMP_C,
  macAddress,
  numberAt,
  sectionList,
} from '../cgminer-family/index.js';

/**
 * Canaan's cgminer packs what each MM (the controller of a machine, or of one module on AUC-chained Avalon 7)
 * knows into one string per `MM ID<n>` key of `stats`: `Ver[..] GHSmm[..] MGHS[b0 b1 b2] Fan1[..] PS[..] ..`.
 * Avalon Q names it `MM ID0:Summary` and wraps it (`'STATS':{..}`), with the per-chip data in `HBinfo`.
 */
const MM_KEY = /^MM ID\d+(?::Summary)?$/;
const FIELD = /(\w+)\[([^\]]*)\]/g;
const MAX_CHIPS = 10_000;
/** cgminer prints -273 (absolute zero) for a temperature it has not read. */
const NO_READING_C = -273;

/** The fields of one MM, by name, in the order printed; the first of a repeated name wins. */
export type MmFields = ReadonlyMap<string, string>;

/** Splits one MM string into its `name[value]` fields. */
export function mmFields(text: string): MmFields {
  const fields = new Map<string, string>();
  for (const [, name, value] of text.matchAll(FIELD)) {
    if (!fields.has(name!)) fields.set(name!, value!);
  }
  return fields;
}

/** What `stats` says about the whole miner, summed over its MMs. Rates are integer MH/s. */
export interface AvalonStats {
  /** cgminer's uptime (`Elapsed` of the STATS record holding the MMs). */
  uptimeS: number;
  /** `GHSspd` and `GHSavg`, when every MM reports both (A12 and later, Q); older firmware has no real-time rate. */
  rate?: { nowMhs: number; avgMhs: number };
  /** `GHSmm`: what the chips make at their current frequencies, the firmware's own expected rate. */
  idealMhs?: number;
  boards: Reading['boards'];
  /** `Fan1..4` (`Fan` on Avalon 7) that spin; Avalon prints only the fan slots its model has. */
  fansRpm: number[];
  fansExpected: number;
  /** `WALLPOWER`, else the last `PS` value (the same number on firmware that reports both). */
  powerW?: number;
  /** Some MM has `SoftOFF` set: mining was switched off on purpose (`ascset|0,softoff`). */
  softOff: boolean;
  /** `Ver` of the first MM, e.g. "1246-83-21072802_4ec6bb0_211fc46". */
  mmVersion?: string;
  errors: Reading['errors'];
}

/** Reads the MM strings of a `stats` (or identical `estats`) reply; one without any is a bad reply. */
export function parseAvalonStats(reply: CgminerReply): AvalonStats {
  const records = sectionList(reply, 'STATS').filter((record) =>
    Object.keys(record).some((k) => MM_KEY.test(k)),
  );
  if (records.length === 0) throw new MinerError('MINER_BAD_REPLY', 'stats reply has no MM ID');
  const mms = records.flatMap((record) =>
    Object.entries(record)
      .filter(([key]) => MM_KEY.test(key))
      .map(([key, value]) => {
        if (typeof value !== 'string') throw new MinerError('MINER_BAD_REPLY', `${key} is not text`);
        return mmFields(typeof record.HBinfo === 'string' ? `${value} ${record.HBinfo}` : value);
      }),
  );
  const stats: AvalonStats = {
    uptimeS: Math.round(numberAt(records[0]!, 'Elapsed', MAX_UPTIME_S)),
    boards: [],
    fansRpm: [],
    fansExpected: 0,
    softOff: false,
    errors: [],
  };
  const now = mms.map((mm) => one(mm, 'GHSspd', MAX_HASHRATE_MHS / 1000));
  const avg = mms.map((mm) => one(mm, 'GHSavg', MAX_HASHRATE_MHS / 1000));
  if ([...now, ...avg].every((ghs) => ghs !== undefined)) {
    stats.rate = { nowMhs: Math.round(sum(now) * 1000), avgMhs: Math.round(sum(avg) * 1000) };
  }
  const ideal = mms.map((mm) => one(mm, 'GHSmm', MAX_HASHRATE_MHS / 1000));
  if (ideal.some((ghs) => ghs !== undefined)) stats.idealMhs = Math.round(sum(ideal) * 1000);
  const power = sum(
    mms.map((mm) => one(mm, 'WALLPOWER', MAX_POWER_W) ?? numbers(mm, 'PS', MAX_POWER_W)?.[6]),
  );
  if (power > 0) stats.powerW = power;
  const version = mms[0]?.get('Ver')?.trim();
  if (version) stats.mmVersion = version;
  for (const [position, mm] of mms.entries()) addMm(stats, mm, position);
  return stats;
}

/** Adds one MM's boards, fans, soft-off flag and error codes. */
function addMm(stats: AvalonStats, mm: MmFields, position: number): void {
  const rates = numbers(mm, 'MGHS', MAX_HASHRATE_MHS / 1000) ?? [];
  const hottest = numbers(mm, 'MTmax', MAX_TEMP_C, NO_READING_C) ?? [];
  const asics = one(mm, 'TA', MAX_CHIPS);
  const perBoard =
    asics !== undefined && rates.length > 0 && asics % rates.length === 0 ? asics / rates.length : 0;
  const first = stats.boards.length;
  rates.forEach((ghs, i) => {
    // PVT_T<i> has one temperature per chip: a chip that reports one is working. Without it, chips are unknown.
    const chipTemps = numbers(mm, `PVT_T${i}`, MAX_TEMP_C, NO_READING_C);
    const chipTempC = celsius(hottest[i]);
    // Avalon Q's single hashboard reports its inlet and outlet (HBITemp, HBOTemp).
    const inletTempC = rates.length === 1 ? celsius(one(mm, 'HBITemp', MAX_TEMP_C, NO_READING_C)) : undefined;
    const outletTempC =
      rates.length === 1 ? celsius(one(mm, 'HBOTemp', MAX_TEMP_C, NO_READING_C)) : undefined;
    stats.boards.push({
      index: first + i,
      hashrateMhs: Math.round(ghs * 1000),
      ...(chipTempC === undefined ? {} : { chipTempC }),
      ...(inletTempC === undefined ? {} : { inletTempC }),
      ...(outletTempC === undefined ? {} : { outletTempC }),
      chips: chipTemps === undefined ? 0 : chipTemps.filter((temp) => temp > 0).length,
      chipsExpected: chipTemps === undefined ? 0 : perBoard,
    });
  });
  for (const key of [...mm.keys()].filter((name) => /^Fan\d*$/.test(name))) {
    const rpm = one(mm, key, MAX_FAN_RPM);
    if (rpm === undefined) continue;
    stats.fansExpected += 1;
    if (rpm > 0) stats.fansRpm.push(rpm);
  }
  if ((one(mm, 'SoftOFF', MAX_COUNTER) ?? 0) !== 0) stats.softOff = true;
  // ECHU has one code per hash unit: the boards where MGHS has as many, the 4 miners of an Avalon 7 module.
  const units = numbers(mm, 'ECHU', MAX_COUNTER) ?? [];
  units.forEach((code, unit) => {
    const where = units.length === rates.length ? `hashboard ${first + unit}` : `MM ${position} unit ${unit}`;
    if (code !== 0) stats.errors.push(error(code, where, 'ECHU'));
  });
  const controller = one(mm, 'ECMM', MAX_COUNTER) ?? 0;
  if (controller !== 0) stats.errors.push(error(controller, `MM ${position}`, 'ECMM'));
}

function error(code: number, where: string, field: string): Reading['errors'][number] {
  return { code: String(code), message: `${where}: Avalon error code ${code} (${field})` };
}

/** The numbers of a field (`MGHS[59459.52 61407.83]`, `FanR[49%]` is not read); absent is undefined. */
function numbers(mm: MmFields, name: string, max: number, min = 0): number[] | undefined {
  const text = mm.get(name);
  if (text === undefined) return undefined;
  return text
    .split(/\s+/)
    .filter((token) => token !== '')
    .map((token) => {
      const value = Number(token);
      if (!Number.isFinite(value) || value < min || value > max) {
        throw new MinerError('MINER_BAD_REPLY', `${name}[${text.slice(0, 40)}] is not numbers in range`);
      }
      return value;
    });
}

function one(mm: MmFields, name: string, max: number, min = 0): number | undefined {
  return numbers(mm, name, max, min)?.[0];
}

/** A temperature, or undefined for cgminer's "no reading" (-273) and for 0 (no sensor); bounded otherwise. */
function celsius(value: number | undefined): number | undefined {
  if (value === undefined || value === 0 || value <= NO_READING_C) return undefined;
  if (value < MIN_TEMP_C || value > MAX_TEMP_C) {
    throw new MinerError('MINER_BAD_REPLY', `temperature out of range: ${value}`);
  }
  return value;
}

function sum(values: Array<number | undefined>): number {
  return values.reduce<number>((total, value) => total + (value ?? 0), 0);
}

export interface AvalonVersion {
  model?: string;
  firmware?: string;
  mac?: string;
}

/** What Canaan's `version` adds: `PROD` ("AvalonMiner 15-194", "Avalon Q"), the firmware build, the MAC. */
export function parseAvalonVersion(reply: CgminerReply): AvalonVersion {
  const version = sectionList(reply, 'VERSION')[0] ?? {};
  const text = (key: string) => (typeof version[key] === 'string' ? version[key].trim() : '');
  const model = text('PROD') || (text('MODEL') && `Avalon ${text('MODEL')}`);
  const firmware = text('VERSION') || text('CGVERSION');
  const mac = macAddress(version.MAC);
  return {
    ...(model ? { model } : {}),
    ...(firmware ? { firmware } : {}),
    ...(mac === undefined ? {} : { mac }),
  };
}
