import { lang } from './i18n';

// Numbers and times in the reader's language. The API speaks MH/s, W, °C and ISO or epoch-ms times.

const locale = (): string => (lang.get() === 'zh' ? 'zh-CN' : 'en-US');

export function formatNumber(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return new Intl.NumberFormat(locale(), {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  }).format(value);
}

/** A hashrate given in MH/s, shown in the largest unit that keeps it above 1 (TH/s for a miner, PH/s for a site). */
export function formatHashrate(mhs: number | null | undefined): string {
  if (mhs === null || mhs === undefined || !Number.isFinite(mhs)) return '—';
  const units: [number, string][] = [
    [1e12, 'EH/s'],
    [1e9, 'PH/s'],
    [1e6, 'TH/s'],
    [1e3, 'GH/s'],
  ];
  for (const [scale, unit] of units)
    if (Math.abs(mhs) >= scale) return `${formatNumber(mhs / scale, 2)} ${unit}`;
  return `${formatNumber(mhs, 0)} MH/s`;
}

export function formatPower(watts: number | null | undefined): string {
  if (watts === null || watts === undefined || !Number.isFinite(watts)) return '—';
  return Math.abs(watts) >= 10_000 ? `${formatNumber(watts / 1000, 1)} kW` : `${formatNumber(watts, 0)} W`;
}

export function formatTemperature(celsius: number | null | undefined): string {
  return celsius === null || celsius === undefined ? '—' : `${formatNumber(celsius, 0)} °C`;
}

export function formatTime(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return '—';
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'short', timeStyle: 'medium' }).format(date);
}

export function formatUsd(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return new Intl.NumberFormat(locale(), {
    style: 'currency',
    currency: 'USD',
    maximumFractionDigits: digits,
  }).format(value);
}
