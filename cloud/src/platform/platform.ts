import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Db } from '../db/index.js';
import { Cache } from './cache/cache.js';
import { MemoryStore } from './cache/memory-store.js';
import { RedisStore } from './cache/redis-store.js';
import type { EventBus } from './events/bus.js';
import { Events } from './events/events.js';
import { memoryEventBus } from './events/memory-bus.js';
import { redisEventBus } from './events/redis-bus.js';
import { memoryNotifier, type Notifier, redisNotifier } from './notifier.js';
import { connectRedis, duplicateRedis } from './redis.js';

/** Cache entries kept in each instance's memory. */
const LOCAL_CACHE_ENTRIES = 10_000;

export interface PlatformOptions {
  db: Db;
  logger: Logger;
  /** Set: cache, events, notifications (and rate limits) go through this Redis. Unset: in process memory. */
  redisUrl?: string | undefined;
  /** Of every key, channel and stream. */
  redisPrefix?: string;
  now?: () => number;
  /** Relay poll interval (tests shorten it). */
  relayPollMs?: number;
}

/** The shared services behind the features: cache, notifications, events; Redis-backed or in memory. */
export interface Platform {
  /** Names this process among the instances (the Redis consumer name). */
  instanceId: string;
  /** The command connection, when Redis is configured (e.g. for the rate-limit store). */
  redis: Redis | undefined;
  redisPrefix: string;
  cache: Cache;
  notifier: Notifier;
  events: Events;
  /** Starts the outbox relay. */
  start(): void;
  /** Stops the relay and consumers, then closes the Redis connections. */
  close(): Promise<void>;
}

export async function createPlatform(options: PlatformOptions): Promise<Platform> {
  const { db, logger, now } = options;
  const prefix = options.redisPrefix ?? 'hashinsight:';
  const instanceId = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const log = logger.child({ component: 'platform' });
  const local = new MemoryStore(LOCAL_CACHE_ENTRIES, now);

  let redis: Redis | undefined;
  let notifier: Notifier;
  let bus: EventBus;
  let cache: Cache;
  if (options.redisUrl === undefined) {
    notifier = memoryNotifier();
    bus = memoryEventBus(log);
    cache = new Cache({ local, notifier, logger: log, ...(now ? { now } : {}) });
  } else {
    redis = await connectRedis(options.redisUrl, instanceId);
    try {
      const subscriber = await duplicateRedis(redis, `${instanceId}:sub`);
      notifier = redisNotifier(redis, subscriber, `${prefix}notify:`, log);
    } catch (error) {
      redis.disconnect();
      throw error;
    }
    bus = redisEventBus(redis, prefix, instanceId, log);
    cache = new Cache({
      local,
      shared: new RedisStore(redis, `${prefix}cache:`),
      notifier,
      logger: log,
      ...(now ? { now } : {}),
    });
  }
  await cache.start();
  const events = new Events({
    db,
    bus,
    logger: log,
    ...(now ? { now } : {}),
    ...(options.relayPollMs === undefined ? {} : { pollMs: options.relayPollMs }),
  });

  let closing: Promise<void> | undefined;
  return {
    instanceId,
    redis,
    redisPrefix: prefix,
    cache,
    notifier,
    events,
    start: () => events.startRelay(),
    close: () => {
      closing ??= (async () => {
        await events.stop();
        await bus.close();
        await cache.close();
        await notifier.close();
        await redis?.quit().catch(() => redis?.disconnect());
      })();
      return closing;
    },
  };
}
