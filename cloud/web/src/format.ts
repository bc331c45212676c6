import { lang } from './i18n';

// Numbers and times in the reader's language. The API speaks MH/s, W, °C and ISO or epoch-ms times.

const locale = (): string => (lang.get() === 'zh' ? 'zh-CN' : 'en-US');

// Building an Intl formatter costs far more than using one, and a table formats a few hundred cells per scroll
// frame: one formatter per language and style, made once.
const formatters = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();
function cached<F extends Intl.NumberFormat | Intl.DateTimeFormat>(
  key: string,
  make: (locale: string) => F,
): F {
  const id = `${locale()}|${key}`;
  let formatter = formatters.get(id) as F | undefined;
  if (formatter === undefined) {
    formatter = make(locale());
    formatters.set(id, formatter);
  }
  return formatter;
}

export function formatNumber(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return cached(
    `number:${digits}`,
    (l) => new Intl.NumberFormat(l, { maximumFractionDigits: digits, minimumFractionDigits: digits }),
  ).format(value);
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
  return cached(
    'time',
    (l) => new Intl.DateTimeFormat(l, { dateStyle: 'short', timeStyle: 'medium' }),
  ).format(date);
}

export function formatUsd(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return cached(
    `usd:${digits}`,
    (l) => new Intl.NumberFormat(l, { style: 'currency', currency: 'USD', maximumFractionDigits: digits }),
  ).format(value);
}
