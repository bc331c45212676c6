/**
 * Runs tasks one at a time per key, in the order they were added; different keys run concurrently.
 * A failed task does not stop the ones queued after it (the caller's task handles its own errors).
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<void>>();

  add(key: string, task: () => Promise<void>): Promise<void> {
    // Tails never reject, so the next task always starts after the previous one settled.
    const next = (this.tails.get(key) ?? Promise.resolve()).then(task);
    const tail = next.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    // Forget idle keys so the map does not grow with every agent ever seen.
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }

  /** Resolves when every task added so far has finished. */
  async drain(): Promise<void> {
    while (this.tails.size > 0) await Promise.all(this.tails.values());
  }
}
