import type { Reading } from '@hashinsight/miners';

/** Serials that can stand as an id on the wire: printable ASCII, no spaces, at most 64 characters. */
const USABLE_SERIAL = /^[\x21-\x7e]{1,64}$/;

/**
 * Stable miner id: the MAC (hex, no separators) when the firmware reports one, else the serial, else the IP.
 * An IP-based id is a placeholder: DHCP may move the miner, so the inventory upgrades it once a MAC or serial
 * is known at that address.
 */
export function minerIdFor(reading: Pick<Reading, 'ip' | 'mac' | 'serial'>): string {
  if (reading.mac) return reading.mac.replaceAll(':', '').toLowerCase();
  if (reading.serial && USABLE_SERIAL.test(reading.serial)) return reading.serial;
  return ipFallbackId(reading.ip);
}

export const ipFallbackId = (ip: string): string => `ip-${ip}`;

/** How firmly an id names its miner: a MAC beats a serial beats an address. */
export function idStrength(reading: Pick<Reading, 'mac' | 'serial'>): 'mac' | 'serial' | 'ip' {
  if (reading.mac) return 'mac';
  if (reading.serial && USABLE_SERIAL.test(reading.serial)) return 'serial';
  return 'ip';
}

/** Hottest board in tenths of a degree: chip temperature, else board temperature; undefined when none reported. */
export function maxTempDc(reading: Pick<Reading, 'boards'>): number | undefined {
  let max: number | undefined;
  for (const board of reading.boards) {
    const celsius = board.chipTempC ?? board.boardTempC;
    if (celsius === undefined || !Number.isFinite(celsius)) continue;
    const dc = Math.round(celsius * 10);
    if (max === undefined || dc > max) max = dc;
  }
  return max;
}
