// Test support for the platform suites: a real Redis under a prefix of its own, deleted afterwards.
import { randomBytes } from 'node:crypto';
import { serviceUrl } from '@hashinsight/testkit';
import { Redis } from 'ioredis';
import type { Test } from 'tap';

export const redisService = serviceUrl('REDIS_URL');

/** A key prefix no other test uses; every key under it is deleted when `t` ends. */
export function redisTestPrefix(t: Test): string {
  const prefix = `test:${randomBytes(6).toString('hex')}:`;
  t.teardown(async () => {
    if (redisService.url === undefined) return;
    const redis = new Redis(redisService.url);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
    await redis.quit();
  });
  return prefix;
}
