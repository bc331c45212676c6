import { SourceError } from './errors.js';

/** The figures a source may supply; each is optional (CoinGecko knows only the price). */
export interface NetworkFigures {
  btcPriceUsd?: number;
  difficulty?: number;
  blockHeight?: number;
  /** Average transaction fees per block, BTC. */
  avgFeesPerBlockBtc?: number;
}

export type FigureName = keyof NetworkFigures;
export const FIGURE_NAMES: readonly FigureName[] = [
  'btcPriceUsd',
  'difficulty',
  'blockHeight',
  'avgFeesPerBlockBtc',
];

/**
 * What a believable value looks like. Wide on purpose (prices and difficulty move by orders of magnitude over
 * years) but never zero, negative or non-finite: those are broken feeds, not markets.
 */
const BOUNDS: Record<FigureName, { min: number; max: number; integer?: boolean }> = {
  btcPriceUsd: { min: 1, max: 1e8 },
  difficulty: { min: 1e6, max: 1e24 },
  blockHeight: { min: 1, max: 10_000_000, integer: true },
  avgFeesPerBlockBtc: { min: 0, max: 100 },
};

/** `value` as a believable figure, else NETWORK_SOURCE_ABSURD naming it. Numbers in strings are accepted. */
export function sane(name: FigureName, value: unknown): number {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  const { min, max, integer } = BOUNDS[name];
  if (
    typeof number !== 'number' ||
    !Number.isFinite(number) ||
    number < min ||
    number > max ||
    (integer === true && !Number.isInteger(number))
  ) {
    throw new SourceError(
      'NETWORK_SOURCE_ABSURD',
      `${name} ${JSON.stringify(value)?.slice(0, 40)} is not believable`,
    );
  }
  return number;
}

/** Parses JSON, refusing anything but an object or array with NETWORK_SOURCE_GARBAGE. */
export function parseJson(text: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new SourceError('NETWORK_SOURCE_GARBAGE', `${what}: not JSON`);
  }
  if (typeof value !== 'object' || value === null)
    throw new SourceError('NETWORK_SOURCE_GARBAGE', `${what}: not a JSON object`);
  return value as Record<string, unknown>;
}

/** A field of a parsed object that must be an object itself. */
export function objectField(
  value: Record<string, unknown>,
  key: string,
  what: string,
): Record<string, unknown> {
  const field = value[key];
  if (typeof field !== 'object' || field === null || Array.isArray(field))
    throw new SourceError('NETWORK_SOURCE_GARBAGE', `${what}: ${key} missing`);
  return field as Record<string, unknown>;
}
