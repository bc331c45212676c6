import type { Logger } from 'pino';
import type { Notifier } from '../notifier.js';
import type { MemoryStore } from './memory-store.js';
import type { CacheStore } from './store.js';

/** The notification channel every instance listens on to drop its local copies. */
export const INVALIDATE_CHANNEL = 'cache.invalidate';

interface Entry {
  value: unknown;
  /** Served as is until then. */
  freshUntil: number;
  /** After freshUntil and until then: served while one refresh runs. */
  staleUntil: number;
}

export interface CacheStats {
  /** Fresh values served. */
  hits: number;
  /** Stale values served while a refresh ran. */
  stale: number;
  /** Requests that had to wait for a load. */
  misses: number;
}

export interface CacheOptions {
  /** This instance's copies (always). */
  local: MemoryStore;
  /** Shared by every instance (Redis), when there are several. */
  shared?: CacheStore;
  /** Tells every instance about invalidations. */
  notifier: Notifier;
  logger: Logger;
  now?: () => number;
}

/**
 * Stale-while-revalidate caching of JSON values. Reads look in this instance's memory, then in the shared
 * store (Redis) when there is one. Invalidation deletes in both and notifies every instance to drop its
 * memory copy. A cache failure never fails the caller: it loads instead.
 */
export class Cache {
  readonly stats: CacheStats = { hits: 0, stale: 0, misses: 0 };
  private readonly local: MemoryStore;
  private readonly shared: CacheStore | undefined;
  private readonly notifier: Notifier;
  private readonly logger: Logger;
  private readonly now: () => number;
  /** One load per key at a time (single flight), tagged with the generation it started in. */
  private readonly inflight = new Map<string, { generation: number; promise: Promise<unknown> }>();
  /**
   * Bumped by every invalidation, here or on another instance. A load that started before an invalidation
   * returns its value to its callers but does not store it: it may predate the change.
   */
  private generation = 0;
  private unsubscribe: (() => Promise<void>) | undefined;

  constructor(options: CacheOptions) {
    this.local = options.local;
    this.shared = options.shared;
    this.notifier = options.notifier;
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
  }

  /** Listens for invalidations from other instances; call once before serving. */
  async start(): Promise<void> {
    this.unsubscribe = await this.notifier.subscribe(INVALIDATE_CHANNEL, (message) => {
      this.generation += 1;
      if (typeof message.key === 'string') void this.local.delete(message.key);
      if (typeof message.prefix === 'string') void this.local.deletePrefix(message.prefix);
    });
  }

  async close(): Promise<void> {
    await this.unsubscribe?.();
  }

  /**
   * The value under `key`: fresh for `ttlMs` after it was loaded, then served stale for up to `staleTtlMs`
   * more while one background `load` replaces it. Missing or too old: waits for `load` (shared by concurrent
   * callers of this instance). The value must survive JSON (plain data).
   */
  async cached<T>(key: string, ttlMs: number, staleTtlMs: number, load: () => Promise<T>): Promise<T> {
    const entry = await this.read(key);
    const now = this.now();
    if (entry !== undefined && now < entry.freshUntil) {
      this.stats.hits += 1;
      return entry.value as T;
    }
    if (entry !== undefined && now < entry.staleUntil) {
      this.stats.stale += 1;
      this.refresh(key, ttlMs, staleTtlMs, load).catch((error: unknown) => {
        this.logger.warn({ err: error, key }, 'cache refresh failed; the stale value stays');
      });
      return entry.value as T;
    }
    this.stats.misses += 1;
    return this.refresh(key, ttlMs, staleTtlMs, load);
  }

  /** Drops `key` on every instance. */
  invalidate(key: string): Promise<void> {
    return this.drop({ key }, () => this.shared?.delete(key));
  }

  /** Drops every key starting with `prefix` on every instance (e.g. all summaries of one tenant). */
  invalidatePrefix(prefix: string): Promise<void> {
    return this.drop({ prefix }, () => this.shared?.deletePrefix(prefix));
  }

  /** Throws when the shared store does not answer. */
  async ping(): Promise<void> {
    await this.local.ping();
    await this.shared?.ping();
  }

  private async drop(
    what: { key: string } | { prefix: string },
    dropShared: () => Promise<void> | undefined,
  ): Promise<void> {
    this.generation += 1;
    if ('key' in what) await this.local.delete(what.key);
    else await this.local.deletePrefix(what.prefix);
    await dropShared();
    await this.notifier.publish(INVALIDATE_CHANNEL, what);
  }

  private refresh<T>(key: string, ttlMs: number, staleTtlMs: number, load: () => Promise<T>): Promise<T> {
    const running = this.inflight.get(key);
    if (running !== undefined && running.generation === this.generation) return running.promise as Promise<T>;
    const generation = this.generation;
    const promise = (async () => {
      const value = await load();
      if (generation === this.generation) {
        const loadedAt = this.now();
        await this.write(key, {
          value,
          freshUntil: loadedAt + ttlMs,
          staleUntil: loadedAt + ttlMs + staleTtlMs,
        });
      }
      return value;
    })().finally(() => {
      if (this.inflight.get(key)?.promise === promise) this.inflight.delete(key);
    });
    this.inflight.set(key, { generation, promise });
    return promise;
  }

  private async read(key: string): Promise<Entry | undefined> {
    try {
      const text = (await this.local.get(key)) ?? (await this.readShared(key));
      return text === undefined ? undefined : (JSON.parse(text) as Entry);
    } catch (error) {
      this.logger.warn({ err: error, key }, 'cache read failed; loading instead');
      return undefined;
    }
  }

  private async readShared(key: string): Promise<string | undefined> {
    const text = await this.shared?.get(key);
    if (text === undefined) return undefined;
    const { staleUntil } = JSON.parse(text) as Entry;
    await this.local.set(key, text, staleUntil - this.now());
    return text;
  }

  private async write(key: string, entry: Entry): Promise<void> {
    const text = JSON.stringify(entry);
    const ttl = entry.staleUntil - this.now();
    await this.local.set(key, text, ttl);
    try {
      await this.shared?.set(key, text, ttl);
    } catch (error) {
      this.logger.warn({ err: error, key }, 'cache write failed');
    }
  }
}
