import { useEffect, useRef } from 'preact/hooks';
import { type LiveEventName, useLiveEvent } from '../live';

/**
 * Runs `reload` after `name` live events, at most once per `intervalMs`: the first event of a quiet spell reloads at
 * once, later ones are folded into one reload at the end of the interval. Ingest can announce new telemetry every
 * second; the portal's history and the live profitability change far slower than that.
 */
export function useThrottledLive(name: LiveEventName, intervalMs: number, reload: () => void): void {
  const last = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const latest = useRef(reload);
  latest.current = reload;
  useEffect(() => () => clearTimeout(timer.current), []);
  useLiveEvent(name, () => {
    if (timer.current !== undefined) return;
    const wait = last.current + intervalMs - Date.now();
    const run = () => {
      timer.current = undefined;
      last.current = Date.now();
      latest.current();
    };
    if (wait <= 0) run();
    else timer.current = setTimeout(run, wait);
  });
}
