import { publishCommandChange, publishTargetChanges } from '../events.js';
import { isTerminalTarget, type TargetState, transitionTarget } from '../lifecycle.js';
import { applyTargetPatch } from '../repository.js';
import { targetCredential } from './actions.js';
import { audit, auditResult, type ChangeSource } from './audit.js';
import { cancelDispatched } from './cancel.js';
import { changeOf } from './changes.js';
import type { EngineDeps } from './context.js';
import {
  type CommandRow,
  findCommand,
  findTarget,
  moveCommand,
  stampFinished,
  stateCounts,
  type TargetRow,
} from './repository.js';
import { ROLLOUT_DEFAULTS, shouldAbort } from './rollout.js';

// Every target change the engine makes goes through moveTarget: the lifecycle decides, the row moves only by
// compare-and-swap, and what follows a change (the live stream, the audit log, the vault) happens only for the
// instance whose swap won.

export interface TargetKey {
  commandId: string;
  agentId: string;
  minerId: string;
}

export const keyOf = (row: TargetRow): TargetKey => ({
  commandId: row.command_id,
  agentId: row.agent_id,
  minerId: row.miner_id,
});

export type MoveOutcome = { moved: true; row: TargetRow } | { moved: false; why: string };

const ATTEMPTS = 4;

/** Moves one target to `to` (re-reading it when another writer got there first). */
export async function moveTarget(
  deps: EngineDeps,
  tenantId: string,
  start: TargetRow,
  to: TargetState,
  detail: { reason?: string; errorCode?: string },
  source: ChangeSource,
): Promise<MoveOutcome> {
  let row: TargetRow | undefined = start;
  for (let attempt = 0; attempt < ATTEMPTS && row !== undefined; attempt++) {
    const result = transitionTarget(
      { state: row.state as TargetState, version: Number(row.version) },
      to,
      deps.now(),
      detail,
    );
    if (!result.ok) return { moved: false, why: result.why };
    if (await applyTargetPatch(deps.db, keyOf(row), result.fromVersion, result.patch)) {
      const moved: TargetRow = { ...row, ...result.patch };
      await afterMove(deps, tenantId, moved, source);
      return { moved: true, row: moved };
    }
    row = await findTarget(deps.db, keyOf(row));
  }
  return { moved: false, why: row === undefined ? 'gone' : 'contended' };
}

async function afterMove(
  deps: EngineDeps,
  tenantId: string,
  row: TargetRow,
  source: ChangeSource,
): Promise<void> {
  await publishTargetChanges(deps.notifier, tenantId, [changeOf(row)]).catch((error: unknown) =>
    deps.log.warn({ err: error, commandId: row.command_id }, 'target change not streamed'),
  );
  const state = row.state as TargetState;
  if (!isTerminalTarget(state)) return;
  await settleCredential(deps, tenantId, row);
  await auditResult(deps, tenantId, row, source);
}

/**
 * A credential rotation ends with the vault: the miner's confirmed login becomes the active version; any other
 * end drops the pending one (the old login stays active, which is what the agent kept using).
 */
async function settleCredential(deps: EngineDeps, tenantId: string, row: TargetRow): Promise<void> {
  const ref = targetCredential(row);
  if (ref === undefined) return;
  const command = await findCommand(deps.db, row.command_id);
  if (command?.type !== 'update_credentials') return;
  try {
    if (row.state === 'succeeded') await deps.vault.activate(tenantId, ref);
    else await deps.vault.discardPending(tenantId, ref);
  } catch (error) {
    deps.metrics.vaultFailures += 1;
    deps.log.error(
      { err: error, commandId: row.command_id, minerId: row.miner_id, credentialId: ref.credentialId },
      row.state === 'succeeded'
        ? 'confirmed login not activated in the vault'
        : 'pending login not discarded',
    );
  }
}

/**
 * After targets of a command ended: abort the rollout when failures passed the threshold, and finish the command
 * once every target is terminal. Safe to call from several instances at once (status moves are compare-and-swap).
 */
export async function settleCommand(deps: EngineDeps, commandId: string): Promise<void> {
  const command = await findCommand(deps.db, commandId);
  if (command === undefined) return;
  const counts = await stateCounts(deps.db, commandId);
  const count = (state: TargetState) => counts[state] ?? 0;
  if (command.status === 'active') {
    const outcomes = {
      succeeded: count('succeeded'),
      failed: count('failed'),
      timedOut: count('timed_out'),
      rejected: count('rejected'),
    };
    const policy = {
      thresholdPct: Number(command.abort_threshold_pct ?? ROLLOUT_DEFAULTS.abortThresholdPct),
      minExecuted: Number(command.abort_min_executed ?? ROLLOUT_DEFAULTS.abortMinExecuted),
    };
    const open = count('queued') + count('dispatched') + count('received') + count('running');
    if (open > 0 && shouldAbort(outcomes, policy)) {
      const failures = outcomes.failed + outcomes.timedOut + outcomes.rejected;
      const executed = failures + outcomes.succeeded;
      await abortCommand(
        deps,
        command,
        `rollout aborted: ${failures} of ${executed} executed targets failed (threshold ${policy.thresholdPct}% after ${policy.minExecuted})`,
      );
      return;
    }
  }
  const open = count('queued') + count('dispatched') + count('received') + count('running');
  if (open > 0 || command.finished_at !== null) return;
  const now = deps.now();
  if (command.status === 'active') {
    if (await moveCommand(deps.db, commandId, 'active', 'finished', { finished_at: now })) {
      await publishCommandChange(deps.notifier, command.tenant_id, {
        commandId,
        status: 'finished',
        at: now,
      }).catch(() => undefined);
    }
  } else {
    await stampFinished(deps.db, commandId, now);
  }
}

/** Stops a rollout: the command becomes aborted, queued targets cancelled, targets on agents asked to cancel. */
export async function abortCommand(deps: EngineDeps, command: CommandRow, reason: string): Promise<void> {
  const now = deps.now();
  if (!(await moveCommand(deps.db, command.id, 'active', 'aborted', { status_reason: reason.slice(0, 500) })))
    return;
  deps.log.warn({ commandId: command.id, reason }, 'command aborted');
  await publishCommandChange(deps.notifier, command.tenant_id, {
    commandId: command.id,
    status: 'aborted',
    at: now,
    reason,
  }).catch(() => undefined);
  await audit(deps, {
    tenantId: command.tenant_id,
    actorId: 'engine:rollout',
    method: 'ENGINE',
    route: 'rollout aborted',
    targetId: command.id,
    success: false,
    requestId: command.id,
  });
  await cancelQueued(deps, command, 'rollout aborted', 'COMMANDS_ROLLOUT_ABORTED', {
    kind: 'engine',
    job: 'rollout',
  });
  await cancelDispatched(deps, command.id);
}

/** Cancels a command's queued targets that no dispatch has claimed (claimed ones go through the agent). */
export async function cancelQueued(
  deps: EngineDeps,
  command: CommandRow,
  reason: string,
  errorCode: string,
  source: ChangeSource,
): Promise<number> {
  const { db } = deps;
  const queued = await db
    .selectFrom('command_target')
    .selectAll()
    .where('command_id', '=', command.id)
    .where('state', '=', 'queued')
    .where('dispatch_id', 'is', null)
    .execute();
  let cancelled = 0;
  for (const row of queued) {
    const outcome = await moveTarget(
      deps,
      command.tenant_id,
      row,
      'cancelled',
      { reason, errorCode },
      source,
    );
    if (outcome.moved) cancelled += 1;
  }
  return cancelled;
}
