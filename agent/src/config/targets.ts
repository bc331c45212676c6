import { isIPv4 } from 'node:net';

/** Most addresses one target list may expand to (a /16). */
export const MAX_TARGETS = 65_536;

const toInt = (ip: string) => ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
const toIp = (n: number) => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');

/**
 * Expands "10.0.0.5, 10.0.1.0/30, 10.0.2.1-10.0.2.9" into individual IPv4 addresses, in order, without
 * duplicates. Throws a RangeError naming the bad entry. CIDRs skip their network and broadcast addresses.
 */
export function expandTargets(spec: string): string[] {
  const ips = new Set<string>();
  for (const raw of spec.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    let first: number;
    let last: number;
    const slash = entry.split('/');
    const dash = entry.split('-');
    const [base = '', bits = ''] = slash;
    const [from = '', to = ''] = dash;
    if (slash.length === 2 && isIPv4(base) && /^\d{1,2}$/.test(bits) && Number(bits) <= 32) {
      const size = 2 ** (32 - Number(bits));
      const network = toInt(base) - (toInt(base) % size);
      [first, last] = size > 2 ? [network + 1, network + size - 2] : [network, network + size - 1];
    } else if (dash.length === 2 && isIPv4(from) && isIPv4(to)) {
      [first, last] = [toInt(from), toInt(to)];
      if (last < first) throw new RangeError(`target range ${entry} ends before it starts`);
    } else if (isIPv4(entry)) {
      first = last = toInt(entry);
    } else {
      throw new RangeError(
        `target ${JSON.stringify(entry.slice(0, 80))} is not an IPv4 address, a range a-b or a CIDR`,
      );
    }
    if (ips.size + (last - first + 1) > MAX_TARGETS) {
      throw new RangeError(`targets expand to more than ${MAX_TARGETS} addresses`);
    }
    for (let n = first; n <= last; n++) ips.add(toIp(n));
  }
  return [...ips];
}
