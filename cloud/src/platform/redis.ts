import { Redis } from 'ioredis';
import { ConfigError } from '../config/index.js';

/**
 * Connects to Redis and waits until it answers, so a wrong REDIS_URL fails the start with a message naming it
 * instead of surfacing later as slow requests. The offline queue is off: while Redis is down, commands fail at
 * once (readiness says so, rate limits fail open) rather than piling up in memory.
 */
export async function connectRedis(url: string, name: string): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectionName: name,
    // Reconnect forever with a capped backoff: a Redis restart must not take the cloud down.
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  // Without a listener ioredis reports every failed reconnect as an unhandled 'error' event.
  redis.on('error', () => undefined);
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new ConfigError('REDIS_URL', 'REDIS_URL: Redis does not answer at the configured address', {
      cause: error,
    });
  }
  return redis;
}

/** A second connection on the same server, e.g. for SUBSCRIBE or a blocking XREADGROUP. */
export async function duplicateRedis(redis: Redis, name: string): Promise<Redis> {
  const copy = redis.duplicate({ lazyConnect: true, connectionName: name });
  copy.on('error', () => undefined);
  await copy.connect();
  return copy;
}
