import { DEFAULT_SOURCE_URLS, type SourceId } from './defaults.js';
import type { Fetcher } from './http.js';
import { type NetworkFigures, objectField, parseJson, sane } from './sanity.js';

// One source = a name, a default base URL and a function from a Fetcher to the figures it knows. Response
// shapes: mempool.space REST API docs (mempool/mempool frontend api-docs-data.ts), blockchain.com's /stats
// (charts_api), CoinGecko /simple/price. Recorded answers for the tests are in fixtures.ts.

export interface NetworkSource {
  /** Shown in snapshots and views as where a figure came from. */
  name: string;
  fetch(get: Fetcher): Promise<NetworkFigures>;
}

const join = (base: string, path: string) => `${base.replace(/\/+$/, '')}${path}`;

/**
 * mempool.space: tip height (plain text), difficulty (hashrate/3d currentDifficulty), fees over the last 144
 * blocks (reward-stats: totalFee in sats, as a string or number, over endBlock − startBlock + 1 blocks) and price.
 */
export function mempoolSource(base: string): NetworkSource {
  const what = 'mempool.space';
  return {
    name: 'mempool.space',
    fetch: async (get) => {
      const [height, hashrate, rewards, prices] = await Promise.all([
        get(join(base, '/blocks/tip/height')),
        get(join(base, '/v1/mining/hashrate/3d')),
        get(join(base, '/v1/mining/reward-stats/144')),
        get(join(base, '/v1/prices')),
      ]);
      const stats = parseJson(rewards, what);
      const blocks = sane('blockHeight', stats.endBlock) - sane('blockHeight', stats.startBlock) + 1;
      return {
        blockHeight: sane('blockHeight', height.trim()),
        difficulty: sane('difficulty', parseJson(hashrate, what).currentDifficulty),
        avgFeesPerBlockBtc: sane('avgFeesPerBlockBtc', Number(stats.totalFee) / 1e8 / Math.max(blocks, 1)),
        btcPriceUsd: sane('btcPriceUsd', parseJson(prices, what).USD),
      };
    },
  };
}

/** blockchain.com /stats: price, difficulty, height and the last 24 h of fees (sats) over the blocks mined. */
export function blockchainInfoSource(base: string): NetworkSource {
  const what = 'blockchain.info';
  return {
    name: 'blockchain.info',
    fetch: async (get) => {
      const stats = parseJson(await get(join(base, '/stats')), what);
      const blocks = sane('blockHeight', stats.n_blocks_mined);
      return {
        btcPriceUsd: sane('btcPriceUsd', stats.market_price_usd),
        difficulty: sane('difficulty', stats.difficulty),
        blockHeight: sane('blockHeight', stats.n_blocks_total),
        avgFeesPerBlockBtc: sane('avgFeesPerBlockBtc', Number(stats.total_fees_btc) / 1e8 / blocks),
      };
    },
  };
}

/** CoinGecko simple price: the BTC price only (keyless public API; cache ≥ 60 s as its terms ask). */
export function coingeckoSource(base: string): NetworkSource {
  const what = 'coingecko';
  return {
    name: 'coingecko',
    fetch: async (get) => {
      const body = parseJson(
        await get(join(base, '/simple/price?ids=bitcoin&vs_currencies=usd&include_last_updated_at=true')),
        what,
      );
      return { btcPriceUsd: sane('btcPriceUsd', objectField(body, 'bitcoin', what).usd) };
    },
  };
}

/** The sources named in `ids` (configuration order = priority order), on the configured base URLs. */
export function sourcesFor(
  ids: readonly SourceId[],
  urls: Partial<Record<SourceId, string>> = {},
): NetworkSource[] {
  const url = (id: SourceId) => urls[id] ?? DEFAULT_SOURCE_URLS[id];
  const make: Record<SourceId, () => NetworkSource> = {
    mempool: () => mempoolSource(url('mempool')),
    blockchain: () => blockchainInfoSource(url('blockchain')),
    coingecko: () => coingeckoSource(url('coingecko')),
  };
  return ids.map((id) => make[id]());
}
