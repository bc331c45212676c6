import type { FastifyReply } from 'fastify';
import type { Db } from '../../db/index.js';
import type { Notifier } from '../../platform/index.js';
import { type CommandNotification, commandChannel, parseNotification } from './events.js';
import { isTerminalCommand } from './lifecycle.js';
import { type CommandSummary, commandSettled } from './service.js';

// GET /api/commands/:id/events: a server-sent event stream of one command. It subscribes to the command's notifier
// channel BEFORE reading the snapshot, so no change falls between the two; every target change is one `target`
// event, a status change one `command` event; a comment line every heartbeat keeps proxies from closing it. It
// ends (event `end`) once the command and all its targets are final.

export interface StreamOptions {
  db: Db;
  notifier: Notifier;
  tenantId: string;
  commandId: string;
  heartbeatMs: number;
  /** The command as it is now (read after subscribing). */
  snapshot: () => Promise<CommandSummary>;
}

/** Open streams, so that closing the app ends them instead of waiting for clients to hang up. */
export type OpenStreams = Set<() => void>;

function frame(event: string, data: unknown): string {
  // JSON never contains a raw newline, so one data line per event is enough.
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export async function streamCommand(
  reply: FastifyReply,
  open: OpenStreams,
  options: StreamOptions,
): Promise<void> {
  const { db, notifier, tenantId, commandId } = options;
  const raw = reply.raw;
  let ended = false;
  let unsubscribe: (() => Promise<void>) | undefined;
  let timer: NodeJS.Timeout | undefined;
  const end = () => {
    if (ended) return;
    ended = true;
    open.delete(end);
    if (timer !== undefined) clearInterval(timer);
    void unsubscribe?.().catch(() => undefined);
    if (!raw.writableEnded) raw.end();
  };
  const write = (text: string) => {
    if (!ended && !raw.writableEnded) raw.write(text);
  };
  const finishIfSettled = async () => {
    if (!ended && (await commandSettled(db, tenantId, commandId))) {
      write(frame('end', { commandId }));
      end();
    }
  };
  // Changes that arrive before the snapshot is written wait for it, in order.
  let backlog: CommandNotification[] | undefined = [];
  const deliver = (notification: CommandNotification) => {
    if (notification.kind === 'targets') {
      for (const target of notification.targets) write(frame('target', target));
      return;
    }
    write(frame('command', notification.command));
    if (isTerminalCommand(notification.command.status)) void finishIfSettled().catch(end);
  };

  reply.hijack();
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  open.add(end);
  raw.on('close', end);
  // A client gone before this ran ('close' already fired) would otherwise keep its subscription and timer.
  if (raw.destroyed) {
    end();
    return;
  }
  try {
    unsubscribe = await notifier.subscribe(commandChannel(tenantId, commandId), (message) => {
      const notification = parseNotification(message);
      if (notification === undefined) return;
      if (backlog !== undefined) backlog.push(notification);
      else deliver(notification);
    });
    if (ended) {
      await unsubscribe();
      return;
    }
    write(frame('snapshot', await options.snapshot()));
    const waiting = backlog;
    backlog = undefined;
    for (const notification of waiting) deliver(notification);
    // Target updates may also settle the command (the last target finishing): checked with each heartbeat.
    timer = setInterval(() => {
      write(': heartbeat\n\n');
      void finishIfSettled().catch(end);
    }, options.heartbeatMs);
    timer.unref();
    await finishIfSettled();
  } catch {
    end();
  }
}
