// Reading a server-sent event stream in tests, over a real socket: the command stream and the console's live
// stream are both checked with it.
import type { IncomingMessage } from 'node:http';

export interface ServerEvent {
  event: string;
  data: Record<string, unknown>;
  /** When it arrived (Date.now()), for throttling checks. */
  at: number;
}

/** Collects an SSE response's events (with their arrival time) and counts heartbeat comments. */
export function collectServerEvents(response: IncomingMessage) {
  const events: ServerEvent[] = [];
  let heartbeats = 0;
  let buffer = '';
  const waiters: (() => void)[] = [];
  response.setEncoding('utf8');
  response.on('data', (chunk: string) => {
    buffer += chunk;
    let cut = buffer.indexOf('\n\n');
    while (cut >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      if (block.startsWith(':')) heartbeats++;
      else {
        const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
        const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null') as Record<string, unknown>;
        events.push({ event, data, at: Date.now() });
      }
      cut = buffer.indexOf('\n\n');
    }
    for (const wake of waiters.splice(0)) wake();
  });
  const ended = new Promise<void>((resolve) => response.on('end', resolve));
  return {
    events,
    /** The events named `name`, in order. */
    of: (name: string) => events.filter((e) => e.event === name),
    heartbeats: () => heartbeats,
    ended,
    /** Resolves once `predicate` holds (checked after every chunk). */
    until: async (predicate: () => boolean) => {
      while (!predicate()) await new Promise<void>((resolve) => waiters.push(resolve));
    },
    close: () => response.destroy(),
  };
}
