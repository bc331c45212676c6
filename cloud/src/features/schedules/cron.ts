import cron from 'node-cron';

// Cron expressions of schedules: five fields (minute resolution: a schedule fires at most once a minute, which is
// what its idempotency key counts on), node-cron's syntax and its semantics (day of month AND day of week both
// have to match), evaluated in the site's IANA time zone.

export const MAX_CRON_LENGTH = 120;

export type CronCheck = { ok: true } | { ok: false; reason: string };

export function checkCron(expression: string): CronCheck {
  const fields = expression.trim().split(/\s+/);
  if (expression.length > MAX_CRON_LENGTH)
    return { ok: false, reason: `at most ${MAX_CRON_LENGTH} characters` };
  if (fields.length !== 5) {
    return {
      ok: false,
      reason: 'five fields: minute hour day-of-month month day-of-week (e.g. "0 22 * * 1-5")',
    };
  }
  const detail = cron.validateDetailed(fields.join(' '));
  if (!detail.valid) {
    const first = detail.errors[0];
    return { ok: false, reason: first ? `${first.field}: ${first.message}` : 'not a cron expression' };
  }
  return { ok: true };
}

/** Whether `expression` fires in the minute starting at `minuteMs` (UTC ms, a whole minute) in `timeZone`. */
export function firesAt(expression: string, timeZone: string, minuteMs: number): boolean {
  const task = cron.createTask(expression, () => undefined, { timezone: timeZone });
  try {
    return task.match(new Date(minuteMs));
  } finally {
    void task.destroy();
  }
}

/** The next `count` fire times after now, ISO 8601 UTC (shown by the API). */
export function nextFires(expression: string, timeZone: string, count: number): string[] {
  const task = cron.createTask(expression, () => undefined, { timezone: timeZone });
  try {
    return task.getNextRuns(count).map((date) => date.toISOString());
  } finally {
    void task.destroy();
  }
}

/** The start of the minute holding `ms`. */
export const minuteOf = (ms: number): number => Math.floor(ms / 60_000) * 60_000;

/** The Idempotency-Key of one fire: two instances firing the same minute create one command. */
export const fireKey = (scheduleId: string, minuteMs: number): string =>
  `schedule:${scheduleId}:${new Date(minuteMs).toISOString().slice(0, 16)}`;
