import type { FastifyBaseLogger } from 'fastify';
import type { Notifier } from '../../platform/index.js';

// "New telemetry is stored for these sites" for the web console's live view (GET /api/stream subscribes). At
// most one tick per tenant per interval from this process: the sites of every batch stored meanwhile are
// coalesced into the next one, so a tenant with thousands of agents costs one message a second, not thousands.
// Fire and forget: a lost tick only delays a page's refresh, so nothing here may hold up or fail the ingest.

/** The notifier channel a tenant's fleet ticks go to, as JSON `{ siteIds: string[] }`. */
export const fleetChannel = (tenantId: string): string => `fleet:${tenantId}`;

/** Where an agent belongs; fixed at enrollment, so it is looked up once per agent and process. */
export type AgentPlace = { tenantId: string | null; siteId: string | null };

export interface FleetTickOptions {
  notifier: Notifier;
  place: (agentId: string) => Promise<AgentPlace | undefined>;
  logger: Pick<FastifyBaseLogger, 'warn'>;
  /** The shortest time between two ticks of one tenant. Default 1 s. */
  intervalMs?: number;
}

interface TenantTick {
  siteIds: Set<string>;
  /** When the last tick went out (0: never). */
  sentAt: number;
  timer: NodeJS.Timeout | undefined;
}

export class FleetTicker {
  private readonly places = new Map<string, AgentPlace>();
  private readonly tenants = new Map<string, TenantTick>();
  private readonly intervalMs: number;
  private closed = false;

  constructor(private readonly options: FleetTickOptions) {
    this.intervalMs = options.intervalMs ?? 1000;
  }

  /** A batch of `agentId` was committed. Returns at once; failures are logged, never thrown. */
  stored(agentId: string): void {
    this.note(agentId).catch((error: unknown) =>
      this.options.logger.warn({ err: error, agentId }, 'fleet tick skipped'),
    );
  }

  /** Drops what is pending; no tick goes out after this. */
  close(): void {
    this.closed = true;
    for (const tick of this.tenants.values()) clearTimeout(tick.timer);
    this.tenants.clear();
  }

  private async note(agentId: string): Promise<void> {
    let place = this.places.get(agentId);
    if (place === undefined) {
      place = await this.options.place(agentId);
      if (place === undefined) return;
      this.places.set(agentId, place);
    }
    const { tenantId, siteId } = place;
    if (tenantId === null || this.closed) return;
    let tick = this.tenants.get(tenantId);
    if (tick === undefined) {
      tick = { siteIds: new Set(), sentAt: 0, timer: undefined };
      this.tenants.set(tenantId, tick);
    }
    if (siteId !== null) tick.siteIds.add(siteId);
    if (tick.timer !== undefined) return; // the next tick is planned and will carry this site
    // Right away when the tenant has been quiet (a macrotask still, so batches of the same group commit share
    // it), else once the interval since the last one has passed.
    const wait = Math.max(0, tick.sentAt + this.intervalMs - Date.now());
    tick.timer = setTimeout(() => this.send(tenantId), wait);
    tick.timer.unref();
  }

  private send(tenantId: string): void {
    const tick = this.tenants.get(tenantId);
    if (tick === undefined) return;
    const siteIds = [...tick.siteIds].sort();
    tick.siteIds.clear();
    tick.timer = undefined;
    tick.sentAt = Date.now();
    this.options.notifier
      .publish(fleetChannel(tenantId), { siteIds })
      .catch((error: unknown) => this.options.logger.warn({ err: error, tenantId }, 'fleet tick not sent'));
  }
}
