import { MinerError } from '../../errors.js';
import { isRecord } from '../../json.js';
import type { Reading } from '../../reading.js';
import type { CgminerReply } from '../../transports/cgminer/index.js';
import {
  firstOf,
  MAX_COUNTER,
  MAX_FAN_RPM,
  MAX_HASHRATE_MHS,
  MAX_POWER_W,
  macAddress,
  numberAt,
  parseSummary,
  type SummaryValues,
  sectionList,
  temperatureAt,
} from '../cgminer-family/index.js';

/** btminer's `summary`: cgminer's totals (MH/s) plus what MicroBT adds to them. */
export interface WhatsminerSummary extends SummaryValues {
  /** `Factory GHS`: the rate this unit was binned at, as MH/s. */
  factoryMhs?: number;
  powerW?: number;
  /** `Fan Speed In`/`Out` that spin; 0 is a stopped fan on an air-cooled unit and no fan on a liquid-cooled one. */
  fansRpm: number[];
  /** How many fans an air-cooled unit reports; unknown (undefined) when liquid-cooled. */
  fansExpected?: number;
  mac?: string;
  firmware?: string;
  errors: Reading['errors'];
}

const FANS = ['Fan Speed In', 'Fan Speed Out'];
const MAX_CHIPS = 10_000;
const MAX_SLOT = 1_000;

/**
 * Reads btminer's `summary` (API v1 on cgminer 4.9.2-based firmware, v2 on "btminer"; both report MH/s).
 * `Power` is the PSU's input in W. `Error Code N` lists the codes the firmware raises now; `Factory Error Code N`
 * are from the factory test and are not current errors.
 */
export function parseWhatsminerSummary(reply: CgminerReply): WhatsminerSummary {
  const summary = firstOf(reply, 'SUMMARY');
  const liquid = summary['Liquid Cooling'] === true;
  const fans = FANS.filter((key) => summary[key] !== undefined).map((key) =>
    Math.round(numberAt(summary, key, MAX_FAN_RPM)),
  );
  const power = summary.Power === undefined ? 0 : Math.round(numberAt(summary, 'Power', MAX_POWER_W));
  const mac = macAddress(summary.MAC);
  const firmware = firmwareVersion(summary['Firmware Version']);
  return {
    ...parseSummary(reply),
    ...(summary['Factory GHS'] === undefined
      ? {}
      : { factoryMhs: Math.round(numberAt(summary, 'Factory GHS', MAX_HASHRATE_MHS / 1000) * 1000) }),
    ...(power > 0 ? { powerW: power } : {}),
    fansRpm: fans.filter((rpm) => rpm > 0),
    ...(liquid || fans.length === 0 ? {} : { fansExpected: fans.length }),
    ...(mac === undefined ? {} : { mac }),
    ...(firmware === undefined ? {} : { firmware }),
    errors: errorsOf(summary),
  };
}

function errorsOf(summary: Record<string, unknown>): Reading['errors'] {
  return Object.keys(summary)
    .filter((key) => /^Error Code \d+$/.test(key))
    .map((key) => String(Math.round(numberAt(summary, key, MAX_COUNTER))))
    .map((code) => ({ code, message: `Whatsminer error code ${code}` }));
}

/** btminer quotes its version ("'20210109.22.REL'"); some builds escape the quotes (`\'`), which is not JSON. */
function firmwareVersion(value: unknown): string | undefined {
  const version = typeof value === 'string' ? value.replace(/^'|'$/g, '').trim() : '';
  return version === '' ? undefined : version;
}

/**
 * One board per `devs` record (the same records as `edevs` when every board is enabled): `Slot` is the board's
 * position, `MHS 5s` its rate, `Temperature` the board sensor, `Chip Temp Max` its hottest chip. btminer does not
 * say how many chips a board should have, so `chipsExpected` is 0 (unknown).
 */
export function parseBoards(devs: CgminerReply): Reading['boards'] {
  return sectionList(devs, 'DEVS').map((dev, position) => {
    const boardTempC = temperatureAt(dev, 'Temperature');
    const chipTempC = temperatureAt(dev, 'Chip Temp Max');
    const serial = typeof dev['PCB SN'] === 'string' ? dev['PCB SN'].trim() : '';
    return {
      index: dev.Slot === undefined ? position : Math.round(numberAt(dev, 'Slot', MAX_SLOT)),
      hashrateMhs: Math.round(numberAt(dev, 'MHS 5s', MAX_HASHRATE_MHS)),
      ...(boardTempC === undefined ? {} : { boardTempC }),
      ...(chipTempC === undefined ? {} : { chipTempC }),
      chips:
        dev['Effective Chips'] === undefined ? 0 : Math.round(numberAt(dev, 'Effective Chips', MAX_CHIPS)),
      chipsExpected: 0,
      ...(serial === '' ? {} : { serial }),
    };
  });
}

/**
 * The model from `devdetails` `Model`, e.g. "M30S+_VE40": the product before `_`, then the hashboard variant with
 * its last digit made 0 as pyasic does (VE41 and VE40 are one product). `family` is the catalog name.
 */
export function parseModel(devdetails: CgminerReply): { model: string; family: string } | undefined {
  const raw = sectionList(devdetails, 'DEVDETAILS')[0]?.Model;
  const match = typeof raw === 'string' ? /^(M\d+[A-Z]*\+*)(?:_?(V[A-Z]*\d+))?$/i.exec(raw.trim()) : null;
  if (match === null) return undefined;
  const family = `Whatsminer ${match[1]!.toUpperCase()}`;
  const variant = match[2]?.toUpperCase().replace(/\d$/, '0');
  return { model: variant === undefined ? family : `${family} ${variant}`, family };
}

/**
 * btminer's own `status` (a flat reply whose Msg is an object): `btmineroff` ("true"/"false"; `mineroff` on
 * later builds) says mining was stopped on purpose, e.g. by `power_off`.
 */
export function parseStatus(reply: CgminerReply): { sleeping: boolean; firmware?: string } {
  const msg = reply.body.Msg;
  if (!isRecord(msg)) throw new MinerError('MINER_BAD_REPLY', 'status reply has no Msg object');
  const off = msg.btmineroff ?? msg.mineroff;
  if (off !== 'true' && off !== 'false' && typeof off !== 'boolean') {
    throw new MinerError(
      'MINER_BAD_REPLY',
      `status reply has no btmineroff: ${JSON.stringify(off)?.slice(0, 40)}`,
    );
  }
  const firmware = firmwareVersion(msg['Firmware Version']);
  return { sleeping: off === true || off === 'true', ...(firmware === undefined ? {} : { firmware }) };
}
