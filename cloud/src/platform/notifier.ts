import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

export type NotificationHandler = (message: Record<string, unknown>) => void;

/**
 * Fire-and-forget messages to every instance of the cloud (this one included), e.g. "drop this cache key".
 * Not durable: an instance that is down misses them (durable facts go through the events outbox).
 */
export interface Notifier {
  publish(channel: string, message: Record<string, unknown>): Promise<void>;
  /** Resolves to a function that unsubscribes. */
  subscribe(channel: string, handler: NotificationHandler): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** One process: the only instance there is. */
export function memoryNotifier(): Notifier {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    async publish(channel, message) {
      // Delivered asynchronously, like Redis pub/sub, so callers cannot come to rely on the opposite.
      queueMicrotask(() => emitter.emit(channel, message));
    },
    async subscribe(channel, handler) {
      emitter.on(channel, handler);
      return async () => {
        emitter.off(channel, handler);
      };
    },
    async close() {
      emitter.removeAllListeners();
    },
  };
}

/**
 * Redis pub/sub: `publisher` is a normal connection, `subscriber` a dedicated one (a subscribed connection
 * can do nothing else). Channels are prefixed; messages are JSON objects, anything else is dropped.
 */
export function redisNotifier(publisher: Redis, subscriber: Redis, prefix: string, logger: Logger): Notifier {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  subscriber.on('message', (channel: string, text: string) => {
    if (!channel.startsWith(prefix)) return;
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      logger.warn({ channel }, 'notification dropped: not JSON');
      return;
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) return;
    emitter.emit(channel.slice(prefix.length), message);
  });
  return {
    async publish(channel, message) {
      await publisher.publish(prefix + channel, JSON.stringify(message));
    },
    async subscribe(channel, handler) {
      if (emitter.listenerCount(channel) === 0) await subscriber.subscribe(prefix + channel);
      emitter.on(channel, handler);
      return async () => {
        emitter.off(channel, handler);
        if (emitter.listenerCount(channel) === 0) await subscriber.unsubscribe(prefix + channel);
      };
    },
    async close() {
      emitter.removeAllListeners();
      subscriber.disconnect();
    },
  };
}
