import { discoveryReportCodec, hashinsight, ipToBytes, MAX_MESSAGE_BYTES } from '@hashinsight/protocol';
import { identityOf } from '../poll/index.js';
import type { ScanResult } from './scanner.js';

const { DiscoveredMiner, UnidentifiedHost } = hashinsight.v1;

/** Room left in each message for the report's own fields (scan id, ranges, times). */
const HEADER_ROOM = 8 * 1024;
/** Characters of ranges a report repeats; a longer list (thousands of single IPs) is cut with a count. */
const RANGES_CHARS = 4 * 1024;

function shortRanges(ranges: string[]): string[] {
  const kept: string[] = [];
  let chars = 0;
  for (const range of ranges) {
    chars += range.length + 2;
    if (chars > RANGES_CHARS) return [...kept, `+${ranges.length - kept.length} more`];
    kept.push(range);
  }
  return kept;
}

/**
 * The scan as DiscoveryReport payloads for `agent/{agentId}/discovery`. A scan that found more than one message
 * can carry (a /16 of miners is about 0.5 MB) is split into several reports with the same scan id, ranges and
 * times, each carrying its share of the miners and unidentified hosts; `addressesProbed` is in every part.
 */
export function discoveryPayloads(result: ScanResult, maxBytes = MAX_MESSAGE_BYTES): Uint8Array[] {
  const budget = maxBytes - HEADER_ROOM;
  const header = {
    scanId: result.scanId,
    ranges: shortRanges(result.ranges),
    startedAtMs: result.startedMs,
    finishedAtMs: result.finishedMs,
    addressesProbed: result.probed,
  };
  type Part = { miners: hashinsight.v1.IDiscoveredMiner[]; unidentified: hashinsight.v1.IUnidentifiedHost[] };
  const parts: Part[] = [{ miners: [], unidentified: [] }];
  let used = 0;
  const place = (bytes: number, add: (part: Part) => void) => {
    // 1 tag byte and up to 3 length bytes frame each entry.
    const cost = bytes + 4;
    if (used + cost > budget && used > 0) {
      parts.push({ miners: [], unidentified: [] });
      used = 0;
    }
    used += cost;
    add(parts.at(-1) as Part);
  };
  for (const miner of result.miners) {
    const entry = {
      identity: identityOf(miner.reading, miner.driver),
      driver: miner.driver,
      openPorts: [miner.port],
    };
    entry.identity.minerId = miner.minerId;
    place(DiscoveredMiner.encode(entry).finish().length, (part) => part.miners.push(entry));
  }
  for (const host of result.unidentified) {
    const entry = { ip: ipToBytes(host.ip), openPorts: [host.port], reason: `${host.code}: ${host.reason}` };
    place(UnidentifiedHost.encode(entry).finish().length, (part) => part.unidentified.push(entry));
  }
  return parts.map((part) => discoveryReportCodec.encode({ ...header, ...part }));
}
