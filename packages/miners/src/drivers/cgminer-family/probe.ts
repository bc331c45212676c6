import type { Probe } from '../../driver.js';
import type { CgminerReply } from '../../transports/cgminer/index.js';
import { sectionList } from './parse.js';

/**
 * True when a probe reply names the firmware: its STATUS Description, or a key or text value of its VERSION or
 * DEVDETAILS records (e.g. `"BOSminer+": "0.2.0"`, `"Type": "Antminer S9 (vnish 3.8.6)"`). `pattern` must not be
 * global (`g` keeps state between tests).
 */
export function probeMentions(probe: Probe, pattern: RegExp): boolean {
  const texts = [...textsOf(probe.version, 'VERSION'), ...textsOf(probe.devdetails, 'DEVDETAILS')];
  return texts.some((text) => pattern.test(text));
}

function textsOf(reply: CgminerReply | undefined, section: string): string[] {
  if (reply === undefined) return [];
  const records = sectionList(reply, section);
  const values = records
    .flatMap((record) => Object.values(record))
    .filter((value) => typeof value === 'string');
  return [reply.status.description, ...records.flatMap((record) => Object.keys(record)), ...values];
}
