import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { Db } from '../../db/index.js';
import { applyRetention, type RetentionDays, rollupDirtyHours, rollupRecent } from './service.js';

export interface TelemetryJobsOptions {
  retention: RetentionDays;
  now?: () => number;
}

/**
 * When each job runs (UTC). Every job is an idempotent upsert or a bounded delete, so several cloud instances
 * may run the same schedule: they repeat each other's work and converge on the same rows (see README).
 */
const SCHEDULE: Record<string, string> = {
  'rollup-5m': '* * * * *',
  'rollup-1h': '*/5 * * * *',
  'rollup-1d': '7,22,37,52 * * * *',
  'rollup-late': '30 * * * * *',
  retention: '17 * * * *',
};

export interface TelemetryJobs {
  /** Runs one job now (tests, and the first run at start); resolves when it finished or failed (logged). */
  run(name: keyof typeof SCHEDULE): Promise<void>;
  /** Stops scheduling and waits for running jobs to finish. */
  stop(): Promise<void>;
}

/** Schedules the rollup and retention jobs with node-cron; a job still running when its next tick comes skips it. */
export function startTelemetryJobs(db: Db, log: Logger, options: TelemetryJobsOptions): TelemetryJobs {
  const now = options.now ?? Date.now;
  const running = new Map<string, Promise<void>>();
  let stopped = false;

  const work: Record<keyof typeof SCHEDULE, () => Promise<unknown>> = {
    'rollup-5m': () => rollupRecent(db, '5m', now()),
    'rollup-1h': () => rollupRecent(db, '1h', now()),
    'rollup-1d': () => rollupRecent(db, '1d', now()),
    'rollup-late': () => rollupDirtyHours(db, now(), options.retention),
    retention: () => applyRetention(db, options.retention, now()),
  };

  function run(name: keyof typeof SCHEDULE): Promise<void> {
    const current = running.get(name);
    if (current !== undefined || stopped) return current ?? Promise.resolve();
    const started = Date.now();
    const job = (async () => {
      try {
        const result = await work[name]?.();
        log.debug({ job: name, ms: Date.now() - started, result }, 'telemetry job done');
      } catch (error) {
        log.error({ err: error, job: name }, 'telemetry job failed');
      } finally {
        running.delete(name);
      }
    })();
    running.set(name, job);
    return job;
  }

  const tasks: ScheduledTask[] = Object.entries(SCHEDULE).map(([name, expression]) =>
    cron.schedule(expression, () => run(name), { name: `telemetry-${name}`, timezone: 'UTC' }),
  );

  return {
    run,
    async stop() {
      stopped = true;
      for (const task of tasks) await task.destroy();
      await Promise.all(running.values());
    },
  };
}
