/**
 * At most one emission per key per interval, without losing the last word: the first value of a quiet key goes out
 * at once, values arriving during the following interval are merged and go out together when it ends. A key that
 * stays quiet for a whole interval is forgotten, so memory follows the keys that are busy now.
 */
export class Coalescer<V> {
  private readonly cooling = new Map<string, NodeJS.Timeout>();
  private readonly pending = new Map<string, V>();

  constructor(
    private readonly intervalMs: number,
    /** Folds a newer value into the one waiting (undefined when none waits). */
    private readonly merge: (waiting: V | undefined, next: V) => V,
    private readonly emit: (key: string, value: V) => void,
  ) {}

  push(key: string, value: V): void {
    if (this.cooling.has(key)) {
      this.pending.set(key, this.merge(this.pending.get(key), value));
      return;
    }
    this.fire(key, value);
  }

  /** Drops whatever waits; nothing is emitted after this. */
  close(): void {
    for (const timer of this.cooling.values()) clearTimeout(timer);
    this.cooling.clear();
    this.pending.clear();
  }

  private fire(key: string, value: V): void {
    this.emit(key, value);
    const timer = setTimeout(() => {
      this.cooling.delete(key);
      const next = this.pending.get(key);
      if (next === undefined) return;
      this.pending.delete(key);
      this.fire(key, next);
    }, this.intervalMs);
    timer.unref();
    this.cooling.set(key, timer);
  }
}
