import { bytesToIp, ipToBytes } from '@hashinsight/protocol';

// Miner IP addresses at rest (issue #6): miner.ip stays '' and the address lives in four columns instead —
//   ip_enc        the address sealed under the tenant's data key, bound to (agent, miner): shown to staff only;
//   ip_index      a blind index (keyed HMAC) of the exact address: `q=10.0.1.5` finds it;
//   ip_net_index  a blind index of its network (/24 for IPv4, /64 for IPv6): `q=10.0.1` finds the subnet;
//   ip_host       the host part in clear (IPv4 last octet, IPv6 last 16-bit group; -1 without an address).
// The `ip` sort orders by (site, ip_net_index, ip_host): the miners of one subnet together and in rack order,
// the subnets themselves in an arbitrary but stable order — the network part is hidden, so numeric order across
// subnets is the price. What a database dump still tells: which miners share an address or a subnet, and the
// host part. Substring search inside addresses is gone for the same reason.

/** The tenant's field cipher as far as miner IPs need it (the vault's FieldCipher satisfies it). */
export interface IpCipher {
  /** The data key version seal() uses. */
  readonly keyVersion: number;
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
  blindIndex(value: string): string;
}

/** The miner columns that hold an address. */
export interface StoredIp {
  ip_enc: string;
  ip_index: string;
  ip_net_index: string;
  ip_host: number;
}

export const NO_IP: StoredIp = { ip_enc: '', ip_index: '', ip_net_index: '', ip_host: -1 };

/** Associated data of a miner's sealed address: a value copied onto another miner fails to open. */
export const ipContext = (agentId: string, minerId: string): string =>
  `miner-ip|${encodeURIComponent(agentId)}|${encodeURIComponent(minerId)}`;

// Domain separation: an address and a network never share an index.
const exactKey = (ip: string) => `ip|${ip}`;
const netKey = (net: string) => `net|${net}`;

interface ParsedIp {
  /** The canonical text (the protocol's bytesToIp form), which the blind indexes are taken over. */
  canonical: string;
  net: string;
  host: number;
}

/** The canonical address, its network and host part; undefined for anything that is not an IP address. */
export function parseIp(text: string): ParsedIp | undefined {
  let canonical: string;
  try {
    canonical = bytesToIp(ipToBytes(text));
  } catch {
    return undefined;
  }
  const v4 = canonical.split('.');
  if (v4.length === 4) return { canonical, net: v4.slice(0, 3).join('.'), host: Number(v4[3]) };
  const groups = canonical.split(':');
  return {
    canonical,
    net: groups.slice(0, 4).join(':'),
    host: Number.parseInt(groups[7] ?? '0', 16),
  };
}

/**
 * The columns for `ip` of miner (agentId, minerId). Called only when an identity arrives (once per agent epoch
 * and on change), never per sample. Text that is not an address is sealed but indexed as no address.
 */
export function protectIp(cipher: IpCipher, agentId: string, minerId: string, ip: string): StoredIp {
  if (ip === '') return NO_IP;
  const ip_enc = cipher.seal(ip, ipContext(agentId, minerId));
  const parsed = parseIp(ip);
  if (parsed === undefined) return { ...NO_IP, ip_enc };
  return {
    ip_enc,
    ip_index: cipher.blindIndex(exactKey(parsed.canonical)),
    ip_net_index: cipher.blindIndex(netKey(parsed.net)),
    ip_host: parsed.host,
  };
}

/**
 * The address of a miner row; '' without one, and '' for a value that does not open (tampered, copied from
 * another miner or tenant, or under a retired key): never someone else's address.
 */
export function revealIp(cipher: IpCipher, agentId: string, minerId: string, ipEnc: string): string {
  if (ipEnc === '') return '';
  try {
    return cipher.open(ipEnc, ipContext(agentId, minerId));
  } catch {
    return '';
  }
}

/** The blind index a search term names: an exact address, or a network. */
export type IpLookup = { column: 'ip_index' | 'ip_net_index'; value: string };

const IPV4_NET = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\.|\.\*|\.x|\.0\/24)?$/i;

/**
 * What `q` looks up by address: an IPv4 or IPv6 address (exact), an IPv4 /24 written "10.0.1", "10.0.1.",
 * "10.0.1.*" or "10.0.1.0/24", or an IPv6 /64 written "<address>/64". Undefined for any other text.
 */
export function ipLookupOf(cipher: IpCipher, q: string): IpLookup | undefined {
  const text = q.trim();
  const exact = parseIp(text);
  if (exact !== undefined) return { column: 'ip_index', value: cipher.blindIndex(exactKey(exact.canonical)) };
  const v4 = IPV4_NET.exec(text);
  if (v4 !== null) {
    const octets = v4.slice(1, 4).map(Number);
    if (octets.some((octet) => octet > 255)) return undefined;
    return { column: 'ip_net_index', value: cipher.blindIndex(netKey(octets.join('.'))) };
  }
  if (text.endsWith('/64')) {
    const v6 = parseIp(text.slice(0, -3));
    if (v6?.canonical.includes(':')) {
      return { column: 'ip_net_index', value: cipher.blindIndex(netKey(v6.net)) };
    }
  }
  return undefined;
}
