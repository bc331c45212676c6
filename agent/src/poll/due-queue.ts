/** Anything with a due time. */
export interface Due {
  dueMs: number;
}

/** A binary min-heap on `dueMs`: the poller's one timer always waits for the earliest miner. */
export class DueQueue<T extends Due> {
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((items[parent] as T).dueMs <= item.dueMs) break;
      items[i] = items[parent] as T;
      i = parent;
    }
    items[i] = item;
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child =
        right < items.length && (items[right] as T).dueMs < (items[left] as T).dueMs ? right : left;
      if ((items[child] as T).dueMs >= last.dueMs) break;
      items[i] = items[child] as T;
      i = child;
    }
    items[i] = last;
    return top;
  }

  /** How many are due at `nowMs` (a walk of the heap's due part only). */
  countDue(nowMs: number): number {
    let count = 0;
    const stack = [0];
    while (stack.length > 0) {
      const i = stack.pop() as number;
      const item = this.items[i];
      if (item === undefined || item.dueMs > nowMs) continue;
      count += 1;
      stack.push(2 * i + 1, 2 * i + 2);
    }
    return count;
  }
}
