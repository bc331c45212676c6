import { randomBytes } from 'node:crypto';

/**
 * A UUIDv7 (RFC 9562) for a scan: 48 bits of Unix milliseconds then random bits, so scan ids sort by start time
 * (node:crypto only offers v4 on Node 20).
 */
export function scanId(nowMs: number): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(nowMs, 0, 6);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
