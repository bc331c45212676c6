import type { Logger } from 'pino';
import { KeyedQueue } from '../../lib/keyed-queue.js';
import type { EventBus, EventHandler } from './bus.js';

/**
 * One process without Redis: events go straight to this process's consumer groups, in order per group. Nothing
 * is kept for a group that subscribes later, and a handler that fails is retried a few times, then logged.
 */
export function memoryEventBus(logger: Logger, retries = 3): EventBus {
  const groups = new Map<string, Map<string, EventHandler>>();
  const queue = new KeyedQueue();
  return {
    async publish(events) {
      for (const event of events) {
        const family = event.type.slice(0, event.type.indexOf('.'));
        for (const [group, handle] of groups.get(family) ?? []) {
          void queue.add(`${family}/${group}`, async () => {
            for (let attempt = 1; ; attempt += 1) {
              try {
                return await handle(event);
              } catch (error) {
                if (attempt > retries) {
                  logger.error(
                    { err: error, eventId: event.id, group },
                    'event handler failed; event dropped',
                  );
                  return;
                }
              }
            }
          });
        }
      }
    },
    async subscribe(family, group, handle) {
      const members = groups.get(family) ?? new Map<string, EventHandler>();
      if (members.has(group)) throw new Error(`group ${group} already consumes ${family} in this process`);
      members.set(group, handle);
      groups.set(family, members);
      return async () => {
        members.delete(group);
        await queue.drain();
      };
    },
    async close() {
      groups.clear();
      await queue.drain();
    },
  };
}
