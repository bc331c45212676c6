/** Where cache entries live: strings under keys, each with a time to live. */
export interface CacheStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** Deletes every key that starts with `prefix`. */
  deletePrefix(prefix: string): Promise<void>;
  /** Throws when the store cannot be used (readiness). */
  ping(): Promise<void>;
}
