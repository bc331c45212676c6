import { isIPv4 } from 'node:net';

/** Most addresses one target list may expand to (a /16). */
export const MAX_TARGETS = 65_536;

/** Longest entry considered at all: anything longer is refused before it is parsed. */
const MAX_ENTRY_CHARS = 64;

const toInt = (ip: string) => ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
const toIp = (n: number) => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');

/** An inclusive block of IPv4 addresses as integers. */
type Span = [first: number, last: number];

/** An entry quoted for an error message: cut, with bidi overrides and C1 controls spelled out for terminals. */
const quoted = (entry: string) =>
  JSON.stringify(entry.slice(0, 80)).replace(
    /[\u0080-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );

/** One entry "10.0.0.5", "10.0.2.1-10.0.2.9" or "10.0.1.0/30" as a span; RangeError naming the entry otherwise. */
function parseEntry(entry: string): Span {
  const shown = quoted(entry);
  if (entry.length > MAX_ENTRY_CHARS) throw new RangeError(`target ${shown} is too long`);
  const slash = entry.split('/');
  const dash = entry.split('-');
  const [base = '', bits = ''] = slash;
  const [from = '', to = ''] = dash;
  if (slash.length === 2 && isIPv4(base) && /^\d{1,2}$/.test(bits) && Number(bits) <= 32) {
    const size = 2 ** (32 - Number(bits));
    const network = toInt(base) - (toInt(base) % size);
    // CIDRs skip their network and broadcast addresses, except /31 and /32, which have none.
    return size > 2 ? [network + 1, network + size - 2] : [network, network + size - 1];
  }
  if (dash.length === 2 && isIPv4(from) && isIPv4(to)) {
    const span: Span = [toInt(from), toInt(to)];
    if (span[1] < span[0]) throw new RangeError(`target range ${shown} ends before it starts`);
    return span;
  }
  if (isIPv4(entry)) return [toInt(entry), toInt(entry)];
  throw new RangeError(`target ${shown} is not an IPv4 address, a range a-b or a CIDR`);
}

/** Entries of comma-separated strings, trimmed, empty ones dropped. */
const entriesOf = (specs: readonly string[]) =>
  specs
    .flatMap((spec) => spec.split(','))
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');

/**
 * Expands "10.0.0.5, 10.0.1.0/30, 10.0.2.1-10.0.2.9" into individual IPv4 addresses, in order, without
 * duplicates. Throws a RangeError naming the bad entry. CIDRs skip their network and broadcast addresses.
 */
export function expandTargets(spec: string): string[] {
  const ips = new Set<string>();
  for (const entry of entriesOf([spec])) {
    const [first, last] = parseEntry(entry);
    if (ips.size + (last - first + 1) > MAX_TARGETS) {
      throw new RangeError(`targets expand to more than ${MAX_TARGETS} addresses`);
    }
    for (let n = first; n <= last; n++) ips.add(toIp(n));
  }
  return [...ips];
}

/** Sorted, merged spans: overlapping and touching entries become one. */
function merge(spans: Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a[0] - b[0]);
  const merged: Span[] = [];
  for (const [first, last] of sorted) {
    const previous = merged.at(-1);
    if (previous !== undefined && first <= previous[1] + 1) previous[1] = Math.max(previous[1], last);
    else merged.push([first, last]);
  }
  return merged;
}

/** `include` less every address of `exclude` (both merged and sorted). */
function subtract(include: Span[], exclude: Span[]): Span[] {
  const result: Span[] = [];
  for (const [first, last] of include) {
    let start = first;
    for (const [xFirst, xLast] of exclude) {
      if (xLast < start || xFirst > last) continue;
      if (xFirst > start) result.push([start, xFirst - 1]);
      start = xLast + 1;
      if (start > last) break;
    }
    if (start <= last) result.push([start, last]);
  }
  return result;
}

/** The addresses a scan probes: what the targets name, less the exclusions, in address order. */
export interface TargetSet {
  /** The entries as written (for reports), exclusions apart. */
  entries: string[];
  exclude: string[];
  /** How many addresses remain. */
  count: number;
  /** Each address once, lowest first, produced lazily. */
  addresses(): Generator<string>;
}

/**
 * Parses scan targets and exclusions, each a list of comma-separated IPs, ranges a-b and CIDRs. Exclusions may be
 * any size; what remains after them may not exceed MAX_TARGETS (the work a scan does). Throws a RangeError naming
 * the bad entry, as expandTargets does.
 */
export function parseTargets(targets: readonly string[], exclude: readonly string[] = []): TargetSet {
  const entries = entriesOf(targets);
  const excluded = entriesOf(exclude);
  const spans = subtract(merge(entries.map(parseEntry)), merge(excluded.map(parseEntry)));
  const count = spans.reduce((sum, [first, last]) => sum + (last - first + 1), 0);
  if (count > MAX_TARGETS) throw new RangeError(`targets expand to more than ${MAX_TARGETS} addresses`);
  return {
    entries,
    exclude: excluded,
    count,
    *addresses() {
      for (const [first, last] of spans) for (let n = first; n <= last; n++) yield toIp(n);
    },
  };
}
