// Network-data defaults, in a module of their own with no dependencies: the cloud's config reads them too.

export const SOURCE_IDS = ['mempool', 'blockchain', 'coingecko'] as const;
export type SourceId = (typeof SOURCE_IDS)[number];

export const DEFAULT_SOURCE_URLS: Record<SourceId, string> = {
  mempool: 'https://mempool.space/api',
  blockchain: 'https://api.blockchain.info',
  coingecko: 'https://api.coingecko.com/api/v3',
};

/** Configured values served when no source answered and no snapshot exists (HASHINSIGHT_NETWORK_STATIC_*). */
export interface StaticFigures {
  btcPriceUsd: number;
  difficulty: number;
  blockHeight: number;
  avgFeesPerBlockBtc: number;
  asOfMs: number;
}

/**
 * Static defaults: network figures around 28 Nov 2025 (difficulty ≈ 149.3 T, height ≈ 925,600, BTC ≈ $91k,
 * fees ≈ 0.025 BTC/block), so an offline install computes sensible numbers and says how old they are.
 */
export const DEFAULT_STATIC_FIGURES: StaticFigures = {
  btcPriceUsd: 91_000,
  difficulty: 149.3e12,
  blockHeight: 925_600,
  avgFeesPerBlockBtc: 0.025,
  asOfMs: Date.UTC(2025, 10, 28),
};

/** A fetched state is fresh this long (HASHINSIGHT_NETWORK_REFRESH_S). */
export const DEFAULT_REFRESH_MS = 600_000;
