import { useEffect, useRef } from 'preact/hooks';
import { type LiveEventName, useLiveEvent } from '../live';
import { createThrottle, type Throttle } from './fleet-throttle';

/**
 * Reloads a fleet page on live `name` events, at most once per `intervalMs`. `accept` skips events about other
 * parts of the fleet; after a reconnect (no data) the page always reloads.
 */
export function useLiveReload<T>(
  name: LiveEventName,
  reload: () => void,
  intervalMs: number,
  accept?: (data: T) => boolean,
): void {
  const latest = useRef(reload);
  latest.current = reload;
  const throttle = useRef<Throttle | undefined>(undefined);
  useEffect(() => {
    const created = createThrottle(() => latest.current(), intervalMs);
    throttle.current = created;
    return () => created.cancel();
  }, [intervalMs]);
  useLiveEvent<T>(name, (data) => {
    if (data !== undefined && accept !== undefined && !accept(data)) return;
    throttle.current?.call();
  });
}

/** A `fleet` event: telemetry was stored for these sites (empty for a customer's stream). */
export interface FleetEvent {
  siteIds: string[];
  at: number;
}

/** Whether a fleet event may change what a page scoped to `siteId` shows. */
export const touchesSite =
  (siteId: string | null | undefined) =>
  (event: FleetEvent): boolean =>
    !siteId || !Array.isArray(event.siteIds) || event.siteIds.length === 0 || event.siteIds.includes(siteId);
