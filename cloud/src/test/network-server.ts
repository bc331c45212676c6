// A loopback HTTP server that plays recorded answers of the network-data sources (mempool.space, blockchain.com,
// CoinGecko), or a chosen failure per path, so no test ever reaches the internet.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Test } from 'tap';

/**
 * Answers recorded in the shapes of the public APIs (mempool docs' api-docs-data.ts, blockchain.com /stats,
 * CoinGecko /simple/price), with values of late November 2025: height 925,512, difficulty 149.3 T, 144 blocks
 * carrying 3.6 BTC of fees (0.025 BTC a block).
 */
export const RECORDED: Record<string, string> = {
  '/mempool/blocks/tip/height': '925512',
  '/mempool/v1/mining/hashrate/3d': JSON.stringify({
    hashrates: [{ timestamp: 1764028800, avgHashrate: 1.0701e21 }],
    difficulty: [{ time: 1763588112, height: 923328, difficulty: 152271405447597.9, adjustment: -1.2 }],
    currentHashrate: 1.0523e21,
    currentDifficulty: 149301205959699.9,
  }),
  '/mempool/v1/mining/reward-stats/144': JSON.stringify({
    startBlock: 925369,
    endBlock: 925512,
    totalReward: '45360000000',
    totalFee: '360000000',
    totalTx: '545123',
  }),
  '/mempool/v1/prices': JSON.stringify({
    time: 1764201600,
    USD: 91234,
    EUR: 78800,
    GBP: 69100,
    JPY: 14200000,
  }),
  '/blockchain/stats': JSON.stringify({
    timestamp: 1764201600000,
    market_price_usd: 91180.5,
    hash_rate: 1.05e12,
    total_fees_btc: 288000000,
    n_btc_mined: 45000000000,
    n_tx: 540000,
    n_blocks_mined: 144,
    minutes_between_blocks: 9.9,
    totalbc: 1995500000000000,
    n_blocks_total: 925510,
    miners_revenue_usd: 43000000,
    nextretarget: 925344,
    difficulty: 149301205959699.9,
  }),
  '/coingecko/simple/price': JSON.stringify({ bitcoin: { usd: 91210, last_updated_at: 1764201590 } }),
};

/** What a path answers instead of its recording. */
export type Fault =
  | { kind: 'status'; status: number }
  | { kind: 'body'; body: string }
  | { kind: 'hang' }
  | { kind: 'huge'; bytes: number };

export interface NetworkServer {
  /** Base URLs of the three sources on this server. */
  urls: { mempool: string; blockchain: string; coingecko: string };
  /** Paths (without the query) requested so far. */
  hits: string[];
  /** Sets or clears (undefined) the fault of a path; a path prefix ending in * matches every path under it. */
  fault(path: string, fault: Fault | undefined): void;
}

export async function startNetworkServer(t: Test): Promise<NetworkServer> {
  const faults = new Map<string, Fault>();
  const hits: string[] = [];
  const faultOf = (path: string) =>
    faults.get(path) ??
    [...faults].find(([key]) => key.endsWith('*') && path.startsWith(key.slice(0, -1)))?.[1];
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0] ?? '';
    hits.push(path);
    const fault = faultOf(path);
    if (fault?.kind === 'hang') return; // never answers; the client's deadline must end it
    if (fault?.kind === 'status') {
      response
        .writeHead(fault.status, { 'content-type': 'text/html' })
        .end('<html>Internal Server Error</html>');
      return;
    }
    if (fault?.kind === 'huge') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(`{"pad":"${'x'.repeat(fault.bytes)}"}`);
      return;
    }
    const body = fault?.kind === 'body' ? fault.body : RECORDED[path];
    if (body === undefined) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    urls: { mempool: `${base}/mempool`, blockchain: `${base}/blockchain`, coingecko: `${base}/coingecko` },
    hits,
    fault: (path, fault) => {
      if (fault === undefined) faults.delete(path);
      else faults.set(path, fault);
    },
  };
}
