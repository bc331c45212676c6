import { SimulatorError } from './errors.js';

export const LOOPBACK_ONLY = 'simulator only binds loopback addresses (127.0.0.0/8)';

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** True for a dotted IPv4 address inside 127.0.0.0/8. */
export function isLoopback(ip: string): boolean {
  const value = parseIpv4(ip);
  return value !== undefined && value >>> 24 === 127;
}

/**
 * The first `count` host addresses of a CIDR block that lies inside 127.0.0.0/8, skipping the network and
 * broadcast addresses as a real subnet would (except in /31 and /32, which have none).
 */
export function loopbackHosts(cidr: string, count: number): string[] {
  const [address = '', prefixText = '', ...rest] = cidr.split('/');
  const base = parseIpv4(address);
  const prefix = /^\d{1,2}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
  if (base === undefined || rest.length > 0 || !(prefix <= 32)) {
    throw new SimulatorError(
      'SIMULATOR_BAD_ARGS',
      `--cidr ${JSON.stringify(cidr)} is not an IPv4 CIDR block`,
    );
  }
  const size = 2 ** (32 - prefix);
  const network = base - (base % size);
  if (prefix < 8 || network >>> 24 !== 127) throw new SimulatorError('SIMULATOR_BAD_ARGS', LOOPBACK_ONLY);
  const first = prefix >= 31 ? network : network + 1;
  const usable = prefix >= 31 ? size : size - 2;
  if (count > usable) {
    throw new SimulatorError(
      'SIMULATOR_BAD_ARGS',
      `--cidr ${cidr} has ${usable} host addresses, not ${count}`,
    );
  }
  return Array.from({ length: count }, (_, i) => formatIpv4(first + i));
}

function parseIpv4(ip: string): number | undefined {
  const octets = IPV4.exec(ip)?.slice(1).map(Number);
  if (octets === undefined || octets.some((octet) => octet > 255)) return undefined;
  return octets.reduce((value, octet) => value * 256 + octet, 0);
}

function formatIpv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}
