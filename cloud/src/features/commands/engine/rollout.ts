// Rollout pacing and automatic abort, as pure arithmetic over counts the dispatcher and consumer read.

/** Defaults when a command does not set its own (issue #6: 50 starts per site per minute, abort at 10% of 20). */
export const ROLLOUT_DEFAULTS = {
  perMinute: 50,
  abortThresholdPct: 10,
  abortMinExecuted: 20,
} as const;

export const ROLLOUT_WINDOW_MS = 60_000;

/**
 * How many more targets of one command may start at one site now: `perMinute` less those dispatched in the last
 * minute (a sliding window, so a burst at a minute's end cannot double the rate). Never negative.
 */
export function rolloutBudget(perMinute: number, startedInWindow: number): number {
  if (!Number.isFinite(perMinute) || perMinute <= 0) return 0;
  return Math.max(0, Math.floor(perMinute) - Math.max(0, startedInWindow));
}

/** Finished targets of one command, by outcome (cancelled and expired ones never ran: they do not count). */
export interface Outcomes {
  succeeded: number;
  failed: number;
  timedOut: number;
  rejected: number;
}

export interface AbortPolicy {
  /** Abort once failures are at least this share of the executed targets, in percent (0-100). */
  thresholdPct: number;
  /** …but only after this many targets have executed, so one early failure does not stop a rollout. */
  minExecuted: number;
}

/** Failures: failed, timed out, rejected. Executed: those plus succeeded. */
export function failureShare(outcomes: Outcomes): { executed: number; failures: number } {
  const failures = outcomes.failed + outcomes.timedOut + outcomes.rejected;
  return { executed: failures + outcomes.succeeded, failures };
}

/**
 * Whether the rollout must stop: at least `minExecuted` executed and failures >= thresholdPct of them. Integer
 * arithmetic (failures * 100 >= pct * executed), so 2 of 20 at 10% aborts exactly, without float rounding.
 */
export function shouldAbort(outcomes: Outcomes, policy: AbortPolicy): boolean {
  const { executed, failures } = failureShare(outcomes);
  if (executed === 0 || executed < Math.max(1, policy.minExecuted)) return false;
  if (failures === 0) return false;
  return failures * 100 >= policy.thresholdPct * executed;
}

/** How many of a site's `queued` targets of one command to start now. */
export function takeForSite(queued: number, perMinute: number, startedInWindow: number): number {
  return Math.min(Math.max(0, queued), rolloutBudget(perMinute, startedInWindow));
}
