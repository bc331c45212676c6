import { ProfitError } from './errors.js';

/**
 * How the pool pays. All are modelled by their long-run expected value per block of the pool's work:
 * - FPPS: subsidy and fees at expected value, pool carries the luck → (S + F).
 * - PPS+: subsidy at expected value, fees shared from the blocks the pool actually finds; same expectation → (S + F).
 * - PPLNS: paid only from found blocks, the miner carries the luck; same expectation → (S + F). Luck shows only in
 *   historical replay, never in an expected-value calculator.
 * - PPS (classic): subsidy only, the pool keeps the fees → S.
 * The pool fee then takes its share of whatever the scheme credits.
 */
export const PAYOUT_SCHEMES = ['FPPS', 'PPS+', 'PPLNS', 'PPS'] as const;
export type PayoutScheme = (typeof PAYOUT_SCHEMES)[number];

export function checkPayoutScheme(value: unknown, field = 'payoutScheme'): PayoutScheme {
  if (typeof value === 'string' && (PAYOUT_SCHEMES as readonly string[]).includes(value)) {
    return value as PayoutScheme;
  }
  throw new ProfitError(
    'PROFIT_BAD_INPUT',
    field,
    `${field}: must be one of ${PAYOUT_SCHEMES.join(', ')}, got ${JSON.stringify(value) ?? typeof value}`,
  );
}

/** Expected BTC the scheme credits per block found by the pool, before the pool fee. */
export function creditedRewardBtc(scheme: PayoutScheme, subsidyBtc: number, avgFeesBtc: number): number {
  return scheme === 'PPS' ? subsidyBtc : subsidyBtc + avgFeesBtc;
}
