import { isIP } from 'node:net';
import { ProtocolError } from './errors.js';

/** IPv4 or IPv6 text to the 4 or 16 network-order bytes the proto carries. */
export function ipToBytes(ip: string): Uint8Array {
  const family = isIP(ip);
  if (family === 4) return Uint8Array.from(ip.split('.').map(Number));
  if (family === 6) {
    // An IPv4 tail (::ffff:10.0.0.5) is two 16-bit groups.
    const v4 = ip.match(/^(.*:)(\d+\.\d+\.\d+\.\d+)$/);
    if (v4) {
      const [a = 0, b = 0, c = 0, d = 0] = (v4[2] as string).split('.').map(Number);
      return ipToBytes(`${v4[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`);
    }
    const [head = '', tail = ''] = ip.split('::');
    const groups = (s: string) => (s === '' ? [] : s.split(':'));
    const left = groups(head);
    const right = ip.includes('::') ? groups(tail) : [];
    const middle = new Array(8 - left.length - right.length).fill('0');
    const bytes = new Uint8Array(16);
    [...left, ...middle, ...right].forEach((group, i) => {
      const value = Number.parseInt(group, 16);
      bytes[i * 2] = value >> 8;
      bytes[i * 2 + 1] = value & 255;
    });
    return bytes;
  }
  throw new ProtocolError('PROTOCOL_INVALID', `not an IP address: ${JSON.stringify(ip.slice(0, 64))}`);
}

/** The proto's IP bytes back to text; empty bytes give an empty string. */
export function bytesToIp(bytes: Uint8Array): string {
  if (bytes.length === 0) return '';
  if (bytes.length === 4) return Array.from(bytes).join('.');
  if (bytes.length === 16) {
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
    return groups.join(':');
  }
  throw new ProtocolError('PROTOCOL_INVALID', `an IP address has 4 or 16 bytes, not ${bytes.length}`);
}

/** "aa:bb:cc:dd:ee:ff" (any case, ':' or '-' separated, or none) to 6 bytes. */
export function macToBytes(mac: string): Uint8Array {
  const hex = mac.replace(/[:-]/g, '');
  if (!/^[0-9a-fA-F]{12}$/.test(hex)) {
    throw new ProtocolError('PROTOCOL_INVALID', `not a MAC address: ${JSON.stringify(mac.slice(0, 64))}`);
  }
  return Uint8Array.from(hex.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
}

/** 6 bytes to lower-case "aa:bb:cc:dd:ee:ff"; empty bytes give an empty string. */
export function bytesToMac(bytes: Uint8Array): string {
  if (bytes.length === 0) return '';
  if (bytes.length !== 6)
    throw new ProtocolError('PROTOCOL_INVALID', `a MAC address has 6 bytes, not ${bytes.length}`);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(':');
}
