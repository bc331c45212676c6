import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';

export const DEPENDENCIES = ['db', 'broker', 'cache'] as const;
export type Dependency = (typeof DEPENDENCIES)[number];

/** How long one check may take before its dependency counts as down (a hung pool must not hang the probe). */
const CHECK_TIMEOUT_MS = 2_000;

function withTimeout(check: Promise<unknown>): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  return Promise.race([check, timeout]).finally(() => clearTimeout(timer));
}

/** Checks every dependency at once; resolves to the ones that are down, with why (for the log). */
export async function downDependencies(
  fastify: FastifyInstance,
): Promise<{ name: Dependency; error: unknown }[]> {
  const checks: Record<Dependency, () => Promise<unknown>> = {
    db: () => sql`select 1`.execute(fastify.db),
    broker: async () => {
      if (!fastify.broker.isRunning()) throw new Error('broker not running');
    },
    cache: () => fastify.platform.cache.ping(),
  };
  const results = await Promise.allSettled(DEPENDENCIES.map((name) => withTimeout(checks[name]())));
  return results.flatMap((result, index) =>
    result.status === 'rejected' ? [{ name: DEPENDENCIES[index] as Dependency, error: result.reason }] : [],
  );
}
