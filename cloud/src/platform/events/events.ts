import type { Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { Db } from '../../db/index.js';
import type { Database } from '../../db/schema.js';
import type { EventBus } from './bus.js';
import { claimPending, type DomainEvent, markRelayed, pendingCount, pruneRelayed } from './outbox.js';

/** Handles one event inside the transaction that records it as processed. */
export type ConsumerHandler = (event: DomainEvent, trx: Transaction<Database>) => Promise<void>;

export interface EventsOptions {
  db: Db;
  bus: EventBus;
  logger: Logger;
  now?: () => number;
  /** How often the relay looks for pending events when it found none. */
  pollMs?: number;
  batchSize?: number;
  /** How long a relay's claim on a batch holds (it must publish and mark within it). */
  leaseMs?: number;
  /** Relayed events are deleted from the outbox after this long. */
  keepRelayedMs?: number;
}

/**
 * The events service: relays the outbox to the bus and runs idempotent consumers. Emitting is recordEvent(trx,
 * …) in the business transaction; nothing here is needed for that.
 */
export class Events {
  private readonly db: Db;
  private readonly bus: EventBus;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly pollMs: number;
  private readonly batchSize: number;
  private readonly leaseMs: number;
  private readonly keepRelayedMs: number;
  private relaying: Promise<void> | undefined;
  private running = false;
  private wake: (() => void) | undefined;
  private lastPrune = 0;
  private readonly stops = new Set<() => Promise<void>>();
  /** Events this instance relayed since it started (metrics). */
  relayedTotal = 0;

  constructor(options: EventsOptions) {
    this.db = options.db;
    this.bus = options.bus;
    this.logger = options.logger.child({ component: 'events' });
    this.now = options.now ?? Date.now;
    this.pollMs = options.pollMs ?? 250;
    this.batchSize = options.batchSize ?? 200;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.keepRelayedMs = options.keepRelayedMs ?? 24 * 3_600_000;
  }

  /**
   * Publishes one batch of pending events, oldest first, and marks them relayed; returns how many. Safe with
   * several instances relaying: each claims its own rows. A crash between publish and mark publishes the
   * batch again after the lease: delivery is at least once, which the consumers' inbox absorbs.
   */
  async relayOnce(): Promise<number> {
    const { token, events } = await claimPending(this.db, {
      limit: this.batchSize,
      leaseMs: this.leaseMs,
      nowMs: this.now(),
    });
    if (events.length === 0) return 0;
    await this.bus.publish(events);
    const marked = await markRelayed(
      this.db,
      token,
      events.map((event) => event.id),
      this.now(),
    );
    if (marked < events.length) {
      this.logger.warn(
        { claimed: events.length, marked },
        'relay lease ran out before marking; some events may repeat',
      );
    }
    this.relayedTotal += events.length;
    return events.length;
  }

  /** Starts relaying in the background until stop(). */
  startRelay(): void {
    if (this.running) return;
    this.running = true;
    this.relaying = this.relayLoop();
  }

  /** Runs the relay now instead of at its next poll (e.g. right after a commit that recorded events). */
  nudge(): void {
    this.wake?.();
  }

  private async relayLoop(): Promise<void> {
    while (this.running) {
      let relayed = 0;
      try {
        relayed = await this.relayOnce();
        if (this.now() - this.lastPrune > 3_600_000) {
          this.lastPrune = this.now();
          await pruneRelayed(this.db, this.now() - this.keepRelayedMs);
        }
      } catch (error) {
        this.logger.warn({ err: error }, 'event relay failed; retrying');
      }
      // A full batch means more may be waiting: go on at once.
      if (relayed >= this.batchSize || !this.running) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.pollMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /**
   * Calls `handler` once per event of `family` for consumer `group`, across redeliveries and instances: the
   * event id goes into the inbox in the same transaction as the handler's writes, and an id already there is
   * skipped. A handler that throws rolls both back, so the event comes again. Resolves to a stop function.
   */
  async consume(family: string, group: string, handler: ConsumerHandler): Promise<() => Promise<void>> {
    const stop = await this.bus.subscribe(family, group, async (event) => {
      await this.db.transaction().execute(async (trx) => {
        const inserted = await trx
          .insertInto('event_inbox')
          .values({ consumer: group, event_id: event.id, processed_at: this.now() })
          .onConflict((oc) => oc.columns(['consumer', 'event_id']).doNothing())
          .executeTakeFirst();
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) return; // processed before
        await handler(event, trx);
      });
    });
    const stopOnce = async () => {
      this.stops.delete(stopOnce);
      await stop();
    };
    this.stops.add(stopOnce);
    return stopOnce;
  }

  /** Events waiting to be relayed. */
  pending(): Promise<number> {
    return pendingCount(this.db);
  }

  /** Stops the relay (after its current batch) and every consumer. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.relaying;
    await Promise.all([...this.stops].map((stop) => stop()));
  }
}
