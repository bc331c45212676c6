import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { duplicateRedis } from '../redis.js';
import type { EventBus } from './bus.js';
import type { DomainEvent } from './outbox.js';

/** Streams are trimmed to about this many entries; consumers that fall further behind lose the oldest. */
const STREAM_MAX_LEN = 100_000;
const READ_COUNT = 100;
const BLOCK_MS = 2_000;
/** Entries a dead member of the group left unacknowledged are taken over after this long. */
const CLAIM_IDLE_MS = 30_000;
const RETRY_DELAY_MS = 1_000;

type StreamReply = [stream: string, entries: [id: string, fields: string[]][]][] | null;

function toFields(event: DomainEvent): string[] {
  return [
    'id',
    event.id,
    'type',
    event.type,
    'tenantId',
    event.tenantId ?? '',
    'payload',
    JSON.stringify(event.payload),
    'createdAt',
    String(event.createdAt),
  ];
}

/** An entry back into an event; undefined for an entry this code did not write. */
function fromFields(fields: string[]): DomainEvent | undefined {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i] as string, fields[i + 1] as string);
  const id = map.get('id');
  const type = map.get('type');
  const payload = map.get('payload');
  if (id === undefined || type === undefined || payload === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(payload);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    const tenantId = map.get('tenantId') ?? '';
    return {
      id,
      type,
      tenantId: tenantId === '' ? null : tenantId,
      payload: parsed as Record<string, unknown>,
      createdAt: Number(map.get('createdAt') ?? 0),
    };
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Redis Streams: XADD to `{prefix}events:{family}`, consumer groups with XREADGROUP, XACK after the handler,
 * and XAUTOCLAIM of entries a crashed member of the group left pending. Each subscription reads on a
 * connection of its own (XREADGROUP blocks it).
 */
export function redisEventBus(redis: Redis, prefix: string, consumerName: string, logger: Logger): EventBus {
  const streamKey = (family: string) => `${prefix}events:${family}`;
  const stops = new Set<() => Promise<void>>();

  return {
    async publish(events) {
      if (events.length === 0) return;
      const pipeline = redis.pipeline();
      for (const event of events) {
        pipeline.xadd(
          streamKey(event.type.slice(0, event.type.indexOf('.'))),
          'MAXLEN',
          '~',
          STREAM_MAX_LEN,
          '*',
          ...toFields(event),
        );
      }
      const results = (await pipeline.exec()) ?? [];
      const failed = results.find(([error]) => error !== null);
      if (failed !== undefined) throw failed[0];
    },

    async subscribe(family, group, handle) {
      const key = streamKey(family);
      try {
        // From the start of the stream: a new group also gets what was relayed before it existed.
        await redis.xgroup('CREATE', key, group, '0', 'MKSTREAM');
      } catch (error) {
        if (!String((error as Error).message).startsWith('BUSYGROUP')) throw error;
      }
      const reader = await duplicateRedis(redis, `${consumerName}:${group}`);
      const log = logger.child({ stream: key, group });
      let running = true;
      // Our own unacknowledged entries first (from a previous run or a failed handler), then new ones.
      let readPending = true;
      let lastClaim = 0;

      const deliver = async (entries: [string, string[]][]): Promise<boolean> => {
        let allDone = true;
        for (const [entryId, fields] of entries) {
          const event = fromFields(fields);
          if (event === undefined) {
            log.warn({ entryId }, 'stream entry is not an event; acknowledged and skipped');
          } else {
            try {
              await handle(event);
            } catch (error) {
              log.error({ err: error, eventId: event.id }, 'event handler failed; it will be redelivered');
              allDone = false;
              continue;
            }
          }
          await redis.xack(key, group, entryId);
        }
        return allDone;
      };

      const loop = async () => {
        while (running) {
          try {
            if (Date.now() - lastClaim > CLAIM_IDLE_MS) {
              lastClaim = Date.now();
              const [, claimed] = (await redis.xautoclaim(
                key,
                group,
                consumerName,
                CLAIM_IDLE_MS,
                '0-0',
                'COUNT',
                READ_COUNT,
              )) as [string, [string, string[]][]];
              if (claimed.length > 0) readPending = true;
            }
            const reply = (
              readPending
                ? await reader.xreadgroup(
                    'GROUP',
                    group,
                    consumerName,
                    'COUNT',
                    READ_COUNT,
                    'STREAMS',
                    key,
                    '0',
                  )
                : await reader.xreadgroup(
                    'GROUP',
                    group,
                    consumerName,
                    'COUNT',
                    READ_COUNT,
                    'BLOCK',
                    BLOCK_MS,
                    'STREAMS',
                    key,
                    '>',
                  )
            ) as StreamReply;
            const entries = reply?.[0]?.[1] ?? [];
            if (readPending && entries.length === 0) {
              readPending = false;
              continue;
            }
            const allDone = await deliver(entries);
            if (!allDone) {
              readPending = true;
              await sleep(RETRY_DELAY_MS);
            }
          } catch (error) {
            if (!running) break;
            log.warn({ err: error }, 'reading the event stream failed; retrying');
            await sleep(RETRY_DELAY_MS);
          }
        }
      };
      const done = loop();

      const stop = async () => {
        running = false;
        stops.delete(stop);
        reader.disconnect(); // ends a blocked XREADGROUP now rather than after BLOCK_MS
        await done;
      };
      stops.add(stop);
      return stop;
    },

    async close() {
      await Promise.all([...stops].map((stop) => stop()));
    },
  };
}
