// The lifecycle of a command and of each of its targets, as pure data and functions: the only place that decides
// which state may follow which. The API, the dispatcher, the updates consumer and the sweeper all go through
// here, so a late or duplicated update can never move a target backwards or out of a terminal state.

export const TARGET_STATES = [
  'queued',
  'dispatched',
  'received',
  'running',
  'succeeded',
  'failed',
  'timed_out',
  'rejected',
  'cancelled',
  'expired',
] as const;
export type TargetState = (typeof TARGET_STATES)[number];

export const TERMINAL_TARGET_STATES: ReadonlySet<TargetState> = new Set([
  'succeeded',
  'failed',
  'timed_out',
  'rejected',
  'cancelled',
  'expired',
]);

export const isTerminalTarget = (state: TargetState): boolean => TERMINAL_TARGET_STATES.has(state);

/** States a target has been handed to its agent in but has not started: a CancelCommand can still stop it. */
export const CANCELLABLE_ON_AGENT: ReadonlySet<TargetState> = new Set(['dispatched', 'received']);

/**
 * Which state may follow which. Updates over MQTT may arrive late or skip a step (an agent that comes back after
 * an outage reports only the outcome), so a target may jump forward; it never goes back. Once running, the
 * action is under way: it can no longer be cancelled or expire, only end (succeeded, failed or timed out).
 * queued -> failed/rejected is the dispatcher refusing to send (an agent without keys, a revoked agent).
 */
export const TARGET_TRANSITIONS: Readonly<Record<TargetState, readonly TargetState[]>> = {
  queued: ['dispatched', 'failed', 'rejected', 'cancelled', 'expired'],
  dispatched: ['received', 'running', 'succeeded', 'failed', 'timed_out', 'rejected', 'cancelled', 'expired'],
  received: ['running', 'succeeded', 'failed', 'timed_out', 'rejected', 'cancelled', 'expired'],
  running: ['succeeded', 'failed', 'timed_out'],
  succeeded: [],
  failed: [],
  timed_out: [],
  rejected: [],
  cancelled: [],
  expired: [],
};

/** The timestamp column each state sets when it is entered (terminal states: finished_at). */
const TIMESTAMP_OF: Readonly<Partial<Record<TargetState, 'dispatched_at' | 'received_at' | 'started_at'>>> = {
  dispatched: 'dispatched_at',
  received: 'received_at',
  running: 'started_at',
};

/** What a transition needs to know of the target as stored. */
export interface TargetSnapshot {
  state: TargetState;
  version: number;
}

/** The columns a transition writes; apply it only where the row still has `fromVersion` (compare and swap). */
export interface TargetPatch {
  state: TargetState;
  version: number;
  updated_at: number;
  reason?: string;
  error_code?: string;
  dispatched_at?: number;
  received_at?: number;
  started_at?: number;
  finished_at?: number;
}

export type TransitionResult =
  | { ok: true; fromVersion: number; patch: TargetPatch }
  /** same: a duplicate; terminal: already final; backwards: an older step arriving late; illegal: never allowed. */
  | { ok: false; why: 'same' | 'terminal' | 'backwards' | 'illegal' };

const ORDER: Readonly<Record<TargetState, number>> = Object.fromEntries(
  TARGET_STATES.map((state, index) => [state, Math.min(index, 4)]),
) as Record<TargetState, number>;

/** The patch moving `target` to `to` at `at`, or why it must not move. Pure. */
export function transitionTarget(
  target: TargetSnapshot,
  to: TargetState,
  at: number,
  detail: { reason?: string; errorCode?: string } = {},
): TransitionResult {
  if (target.state === to) return { ok: false, why: 'same' };
  if (isTerminalTarget(target.state)) return { ok: false, why: 'terminal' };
  if (!TARGET_TRANSITIONS[target.state].includes(to)) {
    return { ok: false, why: ORDER[to] < ORDER[target.state] ? 'backwards' : 'illegal' };
  }
  const patch: TargetPatch = { state: to, version: target.version + 1, updated_at: at };
  const column = TIMESTAMP_OF[to];
  if (column !== undefined) patch[column] = at;
  if (isTerminalTarget(to)) patch.finished_at = at;
  if (detail.reason !== undefined) patch.reason = detail.reason.slice(0, 500);
  if (detail.errorCode !== undefined) patch.error_code = detail.errorCode.slice(0, 100);
  return { ok: true, fromVersion: target.version, patch };
}

/** CommandState of hashinsight.v1 (proto/hashinsight/v1/command.proto) as a target state; undefined for 0/unknown. */
export function targetStateOfWire(state: number): TargetState | undefined {
  return (
    {
      1: 'received',
      2: 'running',
      3: 'succeeded',
      4: 'failed',
      5: 'rejected',
      6: 'expired',
      7: 'timed_out',
      8: 'cancelled',
    } as const
  )[state];
}

// The command as a whole. awaiting_approval: nothing is dispatched until another operator approves it; active:
// the dispatcher may start targets from not_before on; the rest are final.
export const COMMAND_STATUSES = [
  'awaiting_approval',
  'active',
  'finished',
  'cancelled',
  'aborted',
  'expired',
] as const;
export type CommandStatus = (typeof COMMAND_STATUSES)[number];

export const COMMAND_TRANSITIONS: Readonly<Record<CommandStatus, readonly CommandStatus[]>> = {
  awaiting_approval: ['active', 'cancelled', 'expired'],
  active: ['finished', 'cancelled', 'aborted'],
  finished: [],
  cancelled: [],
  aborted: [],
  expired: [],
};

export const isTerminalCommand = (status: CommandStatus): boolean => COMMAND_TRANSITIONS[status].length === 0;

export const canCommandMove = (from: CommandStatus, to: CommandStatus): boolean =>
  COMMAND_TRANSITIONS[from].includes(to);

/** What GET /api/commands/:id shows as `state`: the stored status refined by the targets and the clock. */
export const OVERALL_STATES = [
  'awaiting_approval',
  'scheduled',
  'queued',
  'in_progress',
  'succeeded',
  'partially_succeeded',
  'failed',
  'cancelled',
  'aborted',
  'expired',
] as const;
export type OverallState = (typeof OVERALL_STATES)[number];

export type TargetCounts = Partial<Record<TargetState, number>>;

export function overallState(
  status: CommandStatus,
  notBefore: number,
  now: number,
  counts: TargetCounts,
): OverallState {
  if (
    status === 'awaiting_approval' ||
    status === 'cancelled' ||
    status === 'aborted' ||
    status === 'expired'
  ) {
    return status;
  }
  const count = (state: TargetState) => counts[state] ?? 0;
  const total = TARGET_STATES.reduce((sum, state) => sum + count(state), 0);
  const open = TARGET_STATES.filter((s) => !isTerminalTarget(s)).reduce((sum, s) => sum + count(s), 0);
  if (open > 0) {
    if (count('queued') < open) return 'in_progress';
    if (open === total) return notBefore > now ? 'scheduled' : 'queued';
    return 'in_progress';
  }
  const succeeded = count('succeeded');
  if (succeeded === total && total > 0) return 'succeeded';
  if (succeeded > 0) return 'partially_succeeded';
  if (count('cancelled') === total && total > 0) return 'cancelled';
  if (count('expired') === total && total > 0) return 'expired';
  return 'failed';
}
