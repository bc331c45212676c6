import type { TargetState } from '../lifecycle.js';
import { expireUnapproved } from '../service.js';
import type { EngineDeps } from './context.js';
import { actionOfDispatch, sendDispatch } from './publish.js';
import {
  commandsWithoutOpenTargets,
  expiredUnapproved,
  overdueTargets,
  unpublishedDispatches,
} from './repository.js';
import { moveTarget, settleCommand } from './transitions.js';

// The sweeper, on a timer: what no agent report will ever settle. Targets never sent before their command
// expired become expired; targets an agent held but never reported on are given up once the command's expiry,
// its effect timeout and a grace have passed; dispatches the broker never acknowledged are sent again; commands
// whose targets all ended are finished. Every step is a compare-and-swap, so instances may sweep together.

/** Most rows one step handles per pass (the next pass takes the rest). */
const BATCH = 1000;

export interface SweepResult {
  expired: number;
  timedOut: number;
  resent: number;
  finished: number;
}

export async function sweepPass(deps: EngineDeps): Promise<SweepResult> {
  const now = deps.now();
  const touched = new Set<string>();
  const result: SweepResult = { expired: 0, timedOut: 0, resent: 0, finished: 0 };
  const engine = { kind: 'engine' as const, job: 'sweeper' };

  // Never sent, and now it may not start anywhere.
  for (const row of await overdueTargets(deps.db, ['queued'], now, undefined, BATCH)) {
    if (row.dispatch_id !== null) continue; // being sent: the agent judges its expiry
    const moved = await moveTarget(
      deps,
      row.tenant_id,
      row,
      'expired',
      { reason: 'expired before it was dispatched', errorCode: 'COMMANDS_EXPIRED' },
      engine,
    );
    if (moved.moved) {
      result.expired += 1;
      touched.add(row.command_id);
    }
  }

  // Held by an agent that never reported an outcome: a target that started timed out; one that did not is
  // expired (the agent refuses to start anything past its expiry).
  const giveUp = now - deps.settings.graceMs;
  const withEffect = { defaultEffectS: deps.settings.defaultEffectTimeoutS };
  const overdue = await overdueTargets(
    deps.db,
    ['queued', 'dispatched', 'received', 'running'],
    giveUp,
    withEffect,
    BATCH,
  );
  for (const row of overdue) {
    const to: TargetState = row.state === 'running' ? 'timed_out' : 'expired';
    const moved = await moveTarget(
      deps,
      row.tenant_id,
      row,
      to,
      to === 'timed_out'
        ? { reason: 'no outcome reported within the effect timeout', errorCode: 'COMMANDS_NO_RESULT' }
        : {
            reason: 'the agent never reported starting it before it expired',
            errorCode: 'COMMANDS_NO_REPORT',
          },
      engine,
    );
    if (moved.moved) {
      if (to === 'timed_out') result.timedOut += 1;
      else result.expired += 1;
      touched.add(row.command_id);
    }
  }

  // Commands nobody approved before they expired: the same ending as past the approval window.
  for (const command of await expiredUnapproved(deps.db, now, BATCH)) {
    if (await expireUnapproved(deps, command)) touched.add(command.id);
  }

  // Sent half way (a crash, the broker away): the same bytes again.
  for (const row of await unpublishedDispatches(deps.db, now - deps.settings.resendAfterMs, now, BATCH)) {
    // A run of a command cancelled or aborted meanwhile is not sent again: sendDispatch withdraws its targets.
    const { tenant_id, type, params, status: _status, effect_timeout_s, ...dispatch } = row;
    try {
      const action = await actionOfDispatch(deps, { type, params }, dispatch);
      const command = { id: dispatch.command_id, tenant_id, effect_timeout_s };
      if (await sendDispatch(deps, command, dispatch, action)) {
        result.resent += 1;
        deps.metrics.resends += 1;
      }
    } catch (error) {
      deps.log.error({ err: error, dispatchId: dispatch.id }, 'dispatch could not be sent again');
    }
  }

  for (const commandId of touched) await settleCommand(deps, commandId);
  // A finish a crash skipped.
  for (const status of ['active', 'cancelled', 'aborted']) {
    for (const commandId of await commandsWithoutOpenTargets(deps.db, status, BATCH)) {
      await settleCommand(deps, commandId);
      result.finished += 1;
    }
  }
  return result;
}
