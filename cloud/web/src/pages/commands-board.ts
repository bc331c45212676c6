import {
  type CommandStatus,
  type CommandTarget,
  isFinalTarget,
  type OverallState,
  TARGET_STATES,
  type TargetChange,
  type TargetState,
} from './commands-types';

// The live table of a command's targets: loaded once from GET /api/commands/:id, then moved by the `target` events
// of its stream. Events may arrive late, twice, or before the load they follow, so a change is applied only when
// it is newer: a higher row version when both are known, else a later lifecycle step (states never go back).

export type TargetCounts = Record<TargetState, number>;

export interface Board {
  /** Targets in the order the API listed them (queue order). */
  readonly keys: readonly string[];
  readonly rows: ReadonlyMap<string, CommandTarget>;
}

/** One key per miner; ids are the agent's own, so the pair names a miner (NUL cannot occur in either). */
export const targetKey = (agentId: string, minerId: string): string => `${agentId}\u0000${minerId}`;

export function boardOf(targets: readonly CommandTarget[]): Board {
  const rows = new Map<string, CommandTarget>();
  const keys: string[] = [];
  for (const target of targets) {
    const key = targetKey(target.agentId, target.minerId);
    if (!rows.has(key)) keys.push(key);
    rows.set(key, target);
  }
  return { keys, rows };
}

// queued < dispatched < received < running < any final state, as the cloud's lifecycle orders them.
const rank = (state: TargetState): number => Math.min(TARGET_STATES.indexOf(state), 4);

/** Whether `change` is news for a target now shown as `current`. */
export function isNewer(current: CommandTarget, change: TargetChange): boolean {
  if (isFinalTarget(current.state)) return false;
  if (current.version !== undefined) return change.version > current.version;
  return rank(change.state) > rank(current.state);
}

/**
 * The board with `changes` applied (the same object when none was news, so a render can be skipped). A change for
 * a miner the board does not list yet is added: the load it belongs to is on its way.
 */
export function applyTargetChanges(board: Board, changes: readonly TargetChange[]): Board {
  let rows: Map<string, CommandTarget> | undefined;
  let keys: string[] | undefined;
  for (const change of changes) {
    const key = targetKey(change.agentId, change.minerId);
    const current = (rows ?? board.rows).get(key);
    if (current !== undefined && !isNewer(current, change)) continue;
    rows ??= new Map(board.rows);
    if (current === undefined) {
      keys ??= [...board.keys];
      keys.push(key);
    }
    const at = new Date(change.at).toISOString();
    rows.set(key, {
      ...(current ?? { agentId: change.agentId, minerId: change.minerId }),
      state: change.state,
      version: change.version,
      reason: change.reason ?? '',
      errorCode: change.errorCode ?? '',
      updatedAt: at,
      ...(change.state === 'running' ? { startedAt: at } : {}),
      ...(isFinalTarget(change.state) ? { finishedAt: at } : {}),
    });
  }
  return rows === undefined ? board : { keys: keys ?? board.keys, rows };
}

export function countStates(board: Board): TargetCounts {
  const counts = Object.fromEntries(TARGET_STATES.map((state) => [state, 0])) as TargetCounts;
  for (const row of board.rows.values()) counts[row.state] += 1;
  return counts;
}

/** Whether the API's counts (a stream snapshot) match the board's: states only move forward, so equal means same. */
export function sameCounts(board: TargetCounts, api: Partial<Record<TargetState, number>>): boolean {
  return TARGET_STATES.every((state) => board[state] === (api[state] ?? 0));
}

/** How far the command is: targets in a final state, of which succeeded, of all. */
export function progressOf(counts: TargetCounts): { finished: number; succeeded: number; total: number } {
  let finished = 0;
  let total = 0;
  for (const state of TARGET_STATES) {
    total += counts[state];
    if (isFinalTarget(state)) finished += counts[state];
  }
  return { finished, succeeded: counts.succeeded, total };
}

/**
 * The overall state as the cloud derives it (overallState in its lifecycle), from the stored status and the live
 * counts, so the page can say "succeeded" the moment the last target does; the next load gives the cloud's own.
 */
export function overallStateOf(
  status: CommandStatus,
  notBefore: number,
  now: number,
  counts: TargetCounts,
): OverallState {
  if (status !== 'active' && status !== 'finished') return status;
  const { finished, succeeded, total } = progressOf(counts);
  const open = total - finished;
  if (open > 0) {
    if (counts.queued < open) return 'in_progress';
    if (open === total) return notBefore > now ? 'scheduled' : 'queued';
    return 'in_progress';
  }
  if (total > 0 && succeeded === total) return 'succeeded';
  if (succeeded > 0) return 'partially_succeeded';
  if (total > 0 && counts.cancelled === total) return 'cancelled';
  if (total > 0 && counts.expired === total) return 'expired';
  return 'failed';
}

/** The targets to show for a state filter ('' = all), in board order. */
export function targetsIn(board: Board, state: TargetState | ''): CommandTarget[] {
  const out: CommandTarget[] = [];
  for (const key of board.keys) {
    const row = board.rows.get(key);
    if (row !== undefined && (state === '' || row.state === state)) out.push(row);
  }
  return out;
}
