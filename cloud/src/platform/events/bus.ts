import type { DomainEvent } from './outbox.js';

export type EventHandler = (event: DomainEvent) => Promise<void>;

/**
 * Moves relayed events to consumers. One stream per event family (`agent` for agent.*); a consumer group sees
 * every event of its stream once per group, whichever instance's member takes it.
 */
export interface EventBus {
  /** Appends events to their families' streams, in order. */
  publish(events: DomainEvent[]): Promise<void>;
  /**
   * Delivers `family`'s events to `group`; an event is acknowledged only after `handle` resolves, so a failed or
   * interrupted one is delivered again (handlers must be idempotent: Events.consume makes them so). Resolves to
   * a function that stops the delivery.
   */
  subscribe(family: string, group: string, handle: EventHandler): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
