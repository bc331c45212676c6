import { useEffect, useRef } from 'preact/hooks';
import { type Role, session } from './auth';
import { createStore } from './store';
import { followStream } from './stream';
import { useThrottled } from './throttle';

/**
 * The console's live updates: one server-sent event stream per tab (`GET /api/stream`, features/console in the
 * cloud), shared by every page. Events say *what* changed, pages reload what they show:
 * - `fleet` `{ siteIds, at }`: telemetry stored for those sites (at most about once a second);
 * - `agent` `{ agentId, siteId, online, at }`: an agent came or went;
 * - `command` `{ commandId, status, at }`: a command was created or moved (progress of its targets included).
 * A customer's stream carries `fleet` events only, without site ids.
 */
export type LiveEventName = 'fleet' | 'agent' | 'command';

export const liveConnected = createStore(false);

const handlers = new Map<LiveEventName, Set<(data: unknown) => void>>();
let controller: AbortController | undefined;

function start(): void {
  if (controller !== undefined) return;
  controller = new AbortController();
  const signal = controller.signal;
  void followStream(
    '/api/stream',
    {
      onOpen: () => {
        liveConnected.set(true);
        // Whatever changed while disconnected: every page reloads once.
        for (const set of handlers.values()) for (const handler of set) handler(undefined);
      },
      onEvent: ({ event, data }) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(data);
        } catch {
          return;
        }
        for (const handler of handlers.get(event as LiveEventName) ?? []) handler(parsed);
      },
    },
    signal,
  ).finally(() => liveConnected.set(false));
}

function stop(): void {
  controller?.abort();
  controller = undefined;
  liveConnected.set(false);
}

session.subscribe((value) => (value === null ? stop() : undefined));

/**
 * Calls `handler` on each `name` event (with its data) and once after every reconnect (with undefined). The
 * handler may change between renders without re-subscribing.
 */
export function useLiveEvent<T>(name: LiveEventName, handler: (data: T | undefined) => void): void {
  const current = useRef(handler);
  current.current = handler;
  useEffect(() => {
    const listener = (data: unknown) => current.current(data as T | undefined);
    const set = handlers.get(name) ?? new Set();
    handlers.set(name, set);
    set.add(listener);
    start();
    return () => set.delete(listener);
  }, [name]);
}

/** Who may follow GET /api/stream (the cloud's `fleet` permission): staff and hosting clients, not guests. */
export const canStream = (role: Role): boolean => role !== 'guest';

/** Keeps the tab's stream open while `enabled` (the frame does this, so the live indicator tells the truth). */
export function useLiveStream(enabled: boolean): void {
  useEffect(() => {
    if (enabled) start();
  }, [enabled]);
}

/**
 * Reloads a page on live `name` events, at most once per `intervalMs`. `accept` skips events about other
 * parts of the fleet; after a reconnect (no data) the page always reloads.
 */
export function useLiveReload<T>(
  name: LiveEventName,
  reload: () => void,
  intervalMs: number,
  accept?: (data: T) => boolean,
): void {
  const reloadSoon = useThrottled(reload, intervalMs);
  useLiveEvent<T>(name, (data) => {
    if (data !== undefined && accept !== undefined && !accept(data)) return;
    reloadSoon();
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
