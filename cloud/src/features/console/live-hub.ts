import type { Logger } from 'pino';
import type { Notifier } from '../../platform/index.js';
import { type CommandActivity, parseCommandActivity, tenantCommandsChannel } from '../commands/index.js';
// Where the ingest announces stored telemetry, `{ siteIds }`, throttled per tenant.
import { fleetChannel } from '../ingest/index.js';
import { Coalescer } from './throttle.js';

// The console's live events (GET /api/stream), one feed per tenant and instance however many tabs are open: it
// subscribes to the tenant's notifier channels while someone listens, throttles what they carry and fans it out.
// Events say what changed, never the data itself: a page reloads what it shows through the normal, tenancy-checked
// API, so an event can never carry more than its listener may read.

export type LiveEventName = 'fleet' | 'agent' | 'command';

export interface LiveListener {
  /** Staff see every event of their tenant; a hosting client sees fleet ticks only, without site ids. */
  staff: boolean;
  send(event: LiveEventName, data: Record<string, unknown>): void;
}

/** Agent presence of a tenant, `{ agentId, siteId, online, at }`, relayed from the events (presence.ts). */
export const agentsChannel = (tenantId: string): string => `console:agents:${tenantId}`;

/** Site ids one fleet event may name; a tenant with more gets a reload of everything instead (siteIds []). */
const MAX_SITE_IDS = 1000;
const MAX_ID_LENGTH = 64;

const isId = (value: unknown): value is string =>
  typeof value === 'string' && value !== '' && value.length <= MAX_ID_LENGTH;

export interface LiveHubOptions {
  notifier: Notifier;
  /** Least time between two events of one kind (fleet) or of one command. */
  throttleMs: number;
  /** A command's status now (target progress does not carry it); undefined when there is no such command. */
  commandStatus: (tenantId: string, commandId: string) => Promise<string | undefined>;
  log: Pick<Logger, 'warn'>;
  now: () => number;
}

class TenantFeed {
  readonly listeners = new Set<LiveListener>();
  readonly ready: Promise<void>;
  private readonly fleet: Coalescer<Set<string>>;
  private readonly commands: Coalescer<CommandActivity>;
  private unsubscribes: (() => Promise<void>)[] = [];
  private closed = false;

  constructor(
    private readonly tenantId: string,
    private readonly options: LiveHubOptions,
  ) {
    this.fleet = new Coalescer(
      options.throttleMs,
      (waiting, next) => (waiting === undefined ? next : new Set([...waiting, ...next])),
      (_, siteIds) => this.sendFleet(siteIds),
    );
    // Last status wins; progress (no status) keeps a status that waits.
    this.commands = new Coalescer(
      options.throttleMs,
      (waiting, next) => ({
        commandId: next.commandId,
        at: Math.max(waiting?.at ?? 0, next.at),
        ...((next.status ?? waiting?.status) === undefined ? {} : { status: next.status ?? waiting?.status }),
      }),
      (_, activity) => void this.sendCommand(activity),
    );
    this.ready = this.open();
  }

  private async open(): Promise<void> {
    const { notifier } = this.options;
    const subscriptions: [string, (message: Record<string, unknown>) => void][] = [
      [fleetChannel(this.tenantId), (message) => this.onFleet(message)],
      [agentsChannel(this.tenantId), (message) => this.onAgent(message)],
      [tenantCommandsChannel(this.tenantId), (message) => this.onCommand(message)],
    ];
    for (const [channel, handler] of subscriptions) {
      this.unsubscribes.push(await notifier.subscribe(channel, handler));
    }
  }

  private onFleet(message: Record<string, unknown>): void {
    const { siteIds } = message;
    if (!Array.isArray(siteIds)) return;
    const ids = siteIds.length > MAX_SITE_IDS ? [] : siteIds.filter(isId);
    // Named sites, none of them valid: not a message of ours. (An empty list means "reload everything".)
    if (ids.length === 0 && siteIds.length > 0 && siteIds.length <= MAX_SITE_IDS) return;
    this.fleet.push('fleet', new Set(ids));
  }

  private onAgent(message: Record<string, unknown>): void {
    const { agentId, siteId, online, at } = message;
    if (!isId(agentId) || typeof online !== 'boolean' || typeof at !== 'number') return;
    this.broadcast(true, 'agent', { agentId, siteId: isId(siteId) ? siteId : null, online, at });
  }

  private onCommand(message: Record<string, unknown>): void {
    const activity = parseCommandActivity(message);
    if (activity !== undefined) this.commands.push(activity.commandId, activity);
  }

  private sendFleet(siteIds: Set<string>): void {
    const at = this.options.now();
    const named = siteIds.size > MAX_SITE_IDS ? [] : [...siteIds];
    for (const listener of this.listeners) {
      this.deliver(listener, 'fleet', { siteIds: listener.staff ? named : [], at });
    }
  }

  private async sendCommand(activity: CommandActivity): Promise<void> {
    let status: string | undefined = activity.status;
    try {
      status ??= await this.options.commandStatus(this.tenantId, activity.commandId);
    } catch (error) {
      this.options.log.warn(
        { err: error, commandId: activity.commandId },
        'live stream: command status unread',
      );
      return;
    }
    if (status === undefined || this.closed) return;
    this.broadcast(true, 'command', { commandId: activity.commandId, status, at: activity.at });
  }

  private broadcast(staffOnly: boolean, event: LiveEventName, data: Record<string, unknown>): void {
    for (const listener of this.listeners)
      if (listener.staff || !staffOnly) this.deliver(listener, event, data);
  }

  private deliver(listener: LiveListener, event: LiveEventName, data: Record<string, unknown>): void {
    try {
      listener.send(event, data);
    } catch (error) {
      // One broken connection must not keep the others from their events.
      this.options.log.warn({ err: error }, 'live stream: an event was not delivered');
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.fleet.close();
    this.commands.close();
    await this.ready.catch(() => undefined);
    const unsubscribes = this.unsubscribes;
    this.unsubscribes = [];
    await Promise.all(unsubscribes.map((unsubscribe) => unsubscribe().catch(() => undefined)));
  }
}

export class LiveHub {
  private readonly feeds = new Map<string, TenantFeed>();

  constructor(private readonly options: LiveHubOptions) {}

  /**
   * Starts sending the tenant's events to `listener`; resolves once its channels are subscribed (nothing published
   * after that is missed) to the function that stops.
   */
  async join(tenantId: string, listener: LiveListener): Promise<() => void> {
    let feed = this.feeds.get(tenantId);
    if (feed === undefined) {
      feed = new TenantFeed(tenantId, this.options);
      this.feeds.set(tenantId, feed);
    }
    const joined = feed;
    joined.listeners.add(listener);
    const leave = () => {
      if (!joined.listeners.delete(listener) || joined.listeners.size > 0) return;
      if (this.feeds.get(tenantId) === joined) this.feeds.delete(tenantId);
      void joined.close();
    };
    try {
      await joined.ready;
    } catch (error) {
      leave();
      throw error;
    }
    return leave;
  }

  /** Tenants with a feed now (tests, metrics). */
  get tenantCount(): number {
    return this.feeds.size;
  }

  async close(): Promise<void> {
    const feeds = [...this.feeds.values()];
    this.feeds.clear();
    await Promise.all(feeds.map((feed) => feed.close()));
  }
}
