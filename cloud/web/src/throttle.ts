import { useEffect, useMemo, useRef } from 'preact/hooks';

/** What a throttle needs of time; tests pass a manual clock. */
export interface Timers {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (run, ms) => globalThis.setTimeout(run, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface Throttle {
  /** Runs now if the last run is `intervalMs` ago, else once when it will be; calls in between fold into that one. */
  call(): void;
  cancel(): void;
}

/**
 * Live events can arrive every second from thousands of miners; a page reloads at most once per interval, and
 * always once after the last event (trailing), so what it shows is never older than the last change.
 */
export function createThrottle(run: () => void, intervalMs: number, timers: Timers = realTimers): Throttle {
  let last = Number.NEGATIVE_INFINITY;
  let pending: unknown;
  const fire = () => {
    pending = undefined;
    last = timers.now();
    run();
  };
  return {
    call() {
      if (pending !== undefined) return;
      const wait = last + intervalMs - timers.now();
      if (wait <= 0) fire();
      else pending = timers.setTimeout(fire, wait);
    },
    cancel() {
      if (pending !== undefined) timers.clearTimeout(pending);
      pending = undefined;
    },
  };
}

/**
 * `fn` throttled for a component (the latest `fn` runs; a pending run dies with the component): a burst of live
 * events becomes one reload.
 */
export function useThrottled(fn: () => void, intervalMs = 1000): () => void {
  const latest = useRef(fn);
  latest.current = fn;
  const throttle = useMemo(() => createThrottle(() => latest.current(), intervalMs), [intervalMs]);
  useEffect(() => () => throttle.cancel(), [throttle]);
  return throttle.call;
}
