import type { FastifyReply, FastifyRequest } from 'fastify';
import { PERMISSIONS, type Principal } from '../../plugins/access.js';
import { streamNotAcceptable, tooManyStreams } from './errors.js';
import type { LiveHub } from './live-hub.js';

// GET /api/stream: one server-sent event stream per console tab. `ready` once the tenant's channels are subscribed,
// then `fleet`, `agent` and `command` events from the hub, and a comment line every heartbeat so proxies keep it
// open. It ends when the client hangs up, stops reading, or the app closes.

export interface StreamSettings {
  heartbeatMs: number;
  /** Streams one user may hold open on this instance (tabs, reconnects racing their old connection). */
  maxPerUser: number;
  now: () => number;
}

/** A client that lets this much pile up unread is gone or hostile: its stream ends rather than buffer more. */
const MAX_UNSENT_BYTES = 256 * 1024;

/** Whoever may read hosting data sees agent and command events too. */
const STAFF_ROLES: ReadonlySet<string> = new Set(PERMISSIONS.hosting);

function frame(event: string, data: unknown): string {
  // JSON never contains a raw newline, so one data line per event is enough.
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

function acceptsEventStream(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').toLowerCase().includes('text/event-stream');
}

export class LiveStreams {
  private readonly open = new Set<() => void>();
  private readonly perUser = new Map<string, number>();

  constructor(
    private readonly hub: LiveHub,
    private readonly settings: StreamSettings,
  ) {}

  /** Open streams on this instance (tests, metrics). */
  get size(): number {
    return this.open.size;
  }

  async serve(request: FastifyRequest, reply: FastifyReply, principal: Principal): Promise<void> {
    // A plain GET (a link, a probe, a crawler) gets an answer instead of a response that never ends.
    if (!acceptsEventStream(request)) throw streamNotAcceptable();
    const held = this.perUser.get(principal.userId) ?? 0;
    if (held >= this.settings.maxPerUser) throw tooManyStreams(this.settings.maxPerUser);
    this.perUser.set(principal.userId, held + 1);

    const raw = reply.raw;
    let ended = false;
    let leave: (() => void) | undefined;
    let timer: NodeJS.Timeout | undefined;
    const end = () => {
      if (ended) return;
      ended = true;
      this.open.delete(end);
      const left = (this.perUser.get(principal.userId) ?? 1) - 1;
      if (left > 0) this.perUser.set(principal.userId, left);
      else this.perUser.delete(principal.userId);
      if (timer !== undefined) clearInterval(timer);
      leave?.();
      if (!raw.writableEnded) raw.end();
    };
    const write = (text: string) => {
      if (ended || raw.writableEnded) return;
      if (raw.writableLength > MAX_UNSENT_BYTES) {
        request.log.info({ userId: principal.userId }, 'live stream ended: the client stopped reading');
        end();
        return;
      }
      raw.write(text);
    };

    reply.hijack();
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'x-content-type-options': 'nosniff',
    });
    this.open.add(end);
    raw.on('close', end);
    // A client that hung up while authentication was awaited has already fired 'close': without this check its
    // place, heartbeat and subscriptions would be held until the process restarts.
    if (raw.destroyed || request.raw.destroyed) {
      end();
      return;
    }
    try {
      const stop = await this.hub.join(principal.tenantId, {
        staff: STAFF_ROLES.has(principal.role),
        send: (event, data) => write(frame(event, data)),
      });
      if (ended) {
        stop();
        return;
      }
      leave = stop;
    } catch (error) {
      request.log.warn({ err: error }, 'live stream could not subscribe; the client will reconnect');
      end();
      return;
    }
    write(frame('ready', { at: this.settings.now() }));
    timer = setInterval(() => write(': heartbeat\n\n'), this.settings.heartbeatMs);
    timer.unref();
  }

  /** Ends every open stream (the app is closing). */
  closeAll(): void {
    for (const end of [...this.open]) end();
  }
}
