import { MinerError } from '../../errors.js';
import type { CgminerReply } from '../../transports/cgminer/index.js';
import { MAX_COUNTER, MAX_FAN_RPM, numberAt, sectionList } from './parse.js';

// bmminer-style `stats` (stock Antminer and the firmware built on it: VNish, LuxOS, Hiveon): STATS is
// [header {Type, Miner, CompileTime}, data {Elapsed, GHS 5s, chain_*N, fanN, tempN, ...}].

/** The data record of a bmminer-style `stats` reply: the STATS entry with `Elapsed`. */
export function statsData(reply: CgminerReply): Record<string, unknown> {
  const data = sectionList(reply, 'STATS').find((record) => record.Elapsed !== undefined);
  if (data === undefined) throw new MinerError('MINER_BAD_REPLY', 'stats reply has no data record');
  return data;
}

/** The header's model line, e.g. "Antminer S21 Pro (Vnish 1.2.7)", when the reply has one. */
export function statsType(reply: CgminerReply): string | undefined {
  const type = sectionList(reply, 'STATS').find((record) => typeof record.Type === 'string')?.Type;
  return typeof type === 'string' ? type : undefined;
}

/**
 * Fan speeds from `fan1..fanN` in slot order, without the 0 of a slot that has no fan; `fan_num` is how many
 * fans the firmware counts, when it says.
 */
export function statsFans(data: Record<string, unknown>): { fansRpm: number[]; fansExpected?: number } {
  const fansRpm = numberedKeys(data, 'fan')
    .map((n) => Math.round(numberAt(data, `fan${n}`, MAX_FAN_RPM)))
    .filter((rpm) => rpm > 0);
  if (data.fan_num === undefined) return { fansRpm };
  return { fansRpm, fansExpected: Math.round(numberAt(data, 'fan_num', MAX_COUNTER)) };
}

/** The N of every `<prefix>N` key (fan1, chain_acn6, ...), ascending. */
export function numberedKeys(data: Record<string, unknown>, prefix: string): number[] {
  const pattern = new RegExp(`^${prefix}(\\d+)$`);
  return Object.keys(data)
    .map((key) => pattern.exec(key)?.[1])
    .filter((digits) => digits !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}
