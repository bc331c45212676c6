import { HALVING_INTERVAL, INITIAL_SUBSIDY_SATS, SATS_PER_BTC } from './constants.js';
import { checkNumber } from './validate.js';

/** Highest block height the package accepts (about 19,000 years of blocks; far past the last subsidy). */
export const MAX_BLOCK_HEIGHT = 1_000_000_000;

/**
 * Block subsidy at a height, in satoshis: 50 BTC halved every 210,000 blocks, rounded down to the satoshi as
 * Bitcoin Core's GetBlockSubsidy does with `nSubsidy >>= halvings`. 5e9 / 2^k is exact in a double (5e9 < 2^53 and
 * the divisor is a power of two), so flooring it equals the right shift; from halving 33 on it is 0 (fees only).
 */
export function blockSubsidySats(height: number): number {
  checkNumber(height, 'blockHeight', { min: 0, max: MAX_BLOCK_HEIGHT, integer: true });
  return subsidySatsAt(height);
}

/** blockSubsidySats without the check, for projections that step past MAX_BLOCK_HEIGHT from a valid start. */
export function subsidySatsAt(height: number): number {
  return Math.floor(INITIAL_SUBSIDY_SATS / 2 ** Math.floor(height / HALVING_INTERVAL));
}

/** Block subsidy at a height, in BTC. */
export function blockSubsidyBtc(height: number): number {
  return blockSubsidySats(height) / SATS_PER_BTC;
}

/** The first height of the next subsidy era after `height` (1,050,000 for any height in 840,000..1,049,999). */
export function nextHalvingHeight(height: number): number {
  checkNumber(height, 'blockHeight', { min: 0, max: MAX_BLOCK_HEIGHT, integer: true });
  return (Math.floor(height / HALVING_INTERVAL) + 1) * HALVING_INTERVAL;
}
