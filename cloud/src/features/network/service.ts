import { blockSubsidyBtc } from '@hashinsight/profitability';
import type { Logger } from 'pino';
import type { Db } from '../../db/index.js';
import { uuidv7 } from '../../lib/ids.js';
import type { Cache } from '../../platform/index.js';
import { DEFAULT_REFRESH_MS, DEFAULT_STATIC_FIGURES, type StaticFigures } from './defaults.js';
import { SourceError } from './errors.js';
import type { Fetcher } from './http.js';
import { insertSnapshot, type SnapshotRow, selectLatestSnapshot, selectSnapshots } from './repository.js';
import { FIGURE_NAMES, type FigureName, type NetworkFigures } from './sanity.js';
import type { NetworkSource } from './sources.js';

/** One figure and where it came from: a source's name, 'snapshot:<sources>' or 'static'. */
export interface Figure {
  value: number;
  source: string;
  /** When it was fetched (or, for static values, the date they were configured as of), ms. */
  asOfMs: number;
}

export type NetworkStatus = 'live' | 'partial' | 'snapshot' | 'static';

/** The figures the calculator uses now, each with its origin, and what went wrong with the sources. */
export interface NetworkState {
  btcPriceUsd: Figure;
  difficulty: Figure;
  blockHeight: Figure;
  /** From the height (halvings), with the height's origin. */
  blockSubsidyBtc: Figure;
  avgFeesPerBlockBtc: Figure;
  /**
   * live: every figure from this refresh (and stored as a snapshot); partial: some from it, the rest from the last
   * snapshot or static values; snapshot: all from the last good snapshot; static: configured values only.
   */
  status: NetworkStatus;
  /** The enabled sources, in priority order; empty when none is configured (offline installs). */
  sources: string[];
  /** One entry per source that failed in this refresh. */
  errors: { source: string; code: string; message: string }[];
  checkedAtMs: number;
}

export interface NetworkServiceOptions {
  db: Db;
  cache: Cache;
  logger: Logger;
  fetch: Fetcher;
  sources: NetworkSource[];
  staticFigures?: StaticFigures;
  /** A state is fresh this long; then served stale while one refresh runs. */
  refreshMs?: number;
  now?: () => number;
}

const STATE_KEY = 'network:state';
/** How long past its freshness a state may still be served while a refresh runs. */
const STALE_SERVE_MS = 3_600_000;

/**
 * Network data: asks each enabled source (through the limited Fetcher), keeps for each figure the first sane
 * value in source order, stores a snapshot when every figure came in, and otherwise fills the gaps from the
 * last snapshot, then the static values. Never throws for a source's failure; the state says what happened.
 */
export class NetworkService {
  private readonly o: Required<Omit<NetworkServiceOptions, 'staticFigures'>> & {
    staticFigures: StaticFigures;
  };

  constructor(options: NetworkServiceOptions) {
    this.o = {
      staticFigures: DEFAULT_STATIC_FIGURES,
      refreshMs: DEFAULT_REFRESH_MS,
      now: Date.now,
      ...options,
    };
  }

  /** The cached state (stale-while-revalidate: a refresh never holds a request up once one state exists). */
  current(): Promise<NetworkState> {
    return this.o.cache.cached(STATE_KEY, this.o.refreshMs, STALE_SERVE_MS, () => this.refresh());
  }

  /** Asks the sources now, replaces the cached state on every instance and returns it. */
  async refreshNow(): Promise<NetworkState> {
    await this.o.cache.invalidate(STATE_KEY);
    return this.current();
  }

  /** Snapshots in [fromMs, toMs), oldest first (historical replay). */
  snapshots(fromMs: number, toMs: number, limit: number): Promise<SnapshotRow[]> {
    return selectSnapshots(this.o.db, fromMs, toMs, limit);
  }

  /** One refresh: sources, then snapshot or fallbacks. */
  async refresh(): Promise<NetworkState> {
    const { db, logger, sources, now } = this.o;
    const checkedAtMs = now();
    const answers = await Promise.allSettled(sources.map((source) => source.fetch(this.o.fetch)));
    const live: Partial<Record<FigureName, Figure>> = {};
    const errors: NetworkState['errors'] = [];
    answers.forEach((answer, i) => {
      const source = sources[i] as NetworkSource;
      if (answer.status === 'rejected') {
        const error = answer.reason as unknown;
        const code = error instanceof SourceError ? error.code : 'NETWORK_SOURCE_GARBAGE';
        const message = error instanceof SourceError ? error.message : 'unexpected answer';
        errors.push({ source: source.name, code, message });
        logger.warn({ source: source.name, code, err: error }, 'network source failed; falling back');
        return;
      }
      for (const name of FIGURE_NAMES) {
        const value = (answer.value as NetworkFigures)[name];
        if (value !== undefined && live[name] === undefined)
          live[name] = { value, source: source.name, asOfMs: checkedAtMs };
      }
    });
    const complete = FIGURE_NAMES.every((name) => live[name] !== undefined);
    if (complete) {
      await insertSnapshot(db, snapshotOf(live as Record<FigureName, Figure>, checkedAtMs));
      return this.state(live as Record<FigureName, Figure>, 'live', errors, checkedAtMs);
    }
    const snapshot = await selectLatestSnapshot(db);
    const fallback = snapshot === undefined ? staticOf(this.o.staticFigures) : figuresOf(snapshot);
    const figures = Object.fromEntries(
      FIGURE_NAMES.map((name) => [name, live[name] ?? fallback[name]]),
    ) as Record<FigureName, Figure>;
    const anyLive = FIGURE_NAMES.some((name) => live[name] !== undefined);
    const status: NetworkStatus = anyLive ? 'partial' : snapshot === undefined ? 'static' : 'snapshot';
    return this.state(figures, status, errors, checkedAtMs);
  }

  private state(
    figures: Record<FigureName, Figure>,
    status: NetworkStatus,
    errors: NetworkState['errors'],
    checkedAtMs: number,
  ): NetworkState {
    const height = figures.blockHeight;
    return {
      ...figures,
      blockSubsidyBtc: { value: blockSubsidyBtc(height.value), source: height.source, asOfMs: height.asOfMs },
      status,
      sources: this.o.sources.map((source) => source.name),
      errors,
      checkedAtMs,
    };
  }
}

function snapshotOf(figures: Record<FigureName, Figure>, fetchedAt: number): SnapshotRow {
  const names = [...new Set(FIGURE_NAMES.map((name) => figures[name].source))];
  return {
    id: uuidv7(fetchedAt),
    fetched_at: fetchedAt,
    btc_price_usd: figures.btcPriceUsd.value,
    difficulty: figures.difficulty.value,
    block_height: figures.blockHeight.value,
    block_subsidy_btc: blockSubsidyBtc(figures.blockHeight.value),
    avg_fees_btc: figures.avgFeesPerBlockBtc.value,
    source: names.join(','),
  };
}

/** A stored snapshot as figures whose source says they are a snapshot's. */
export function figuresOf(row: SnapshotRow): Record<FigureName, Figure> {
  const at = Number(row.fetched_at);
  const source = `snapshot:${row.source}`;
  return {
    btcPriceUsd: { value: Number(row.btc_price_usd), source, asOfMs: at },
    difficulty: { value: Number(row.difficulty), source, asOfMs: at },
    blockHeight: { value: Number(row.block_height), source, asOfMs: at },
    avgFeesPerBlockBtc: { value: Number(row.avg_fees_btc), source, asOfMs: at },
  };
}

function staticOf(values: StaticFigures): Record<FigureName, Figure> {
  const figure = (value: number): Figure => ({ value, source: 'static', asOfMs: values.asOfMs });
  return {
    btcPriceUsd: figure(values.btcPriceUsd),
    difficulty: figure(values.difficulty),
    blockHeight: figure(values.blockHeight),
    avgFeesPerBlockBtc: figure(values.avgFeesPerBlockBtc),
  };
}
