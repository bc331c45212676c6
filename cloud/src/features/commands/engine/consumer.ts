import { isTerminalTarget } from '../lifecycle.js';
import type { EngineDeps } from './context.js';
import { findCommand, findDispatch, findTarget } from './repository.js';
import { moveTarget, settleCommand } from './transitions.js';
import { decodeUpdate } from './updates.js';

// CommandUpdates from agents: each names the dispatch (wire id) it is about and one miner. The agent id comes
// from the topic (the broker lets only that agent publish there), so an agent can only report on dispatches sent
// to it and on miners those dispatches named; anything else is counted and dropped, never applied.

function reject(deps: EngineDeps, agentId: string, code: string, reason: string): void {
  deps.metrics.updatesRejected[code] = (deps.metrics.updatesRejected[code] ?? 0) + 1;
  deps.log.warn({ agentId, code, reason: reason.slice(0, 200) }, 'command update rejected');
}

/** Handles one message from hashinsight/v1/agent/{agentId}/command-update. Never throws for bad input. */
export async function handleUpdate(deps: EngineDeps, agentId: string, payload: Uint8Array): Promise<void> {
  const decoded = decodeUpdate(payload);
  if (!decoded.ok) return reject(deps, agentId, decoded.code, decoded.reason);
  const { report } = decoded;
  const dispatch = await findDispatch(deps.db, report.dispatchId);
  if (dispatch === undefined || dispatch.agent_id !== agentId) {
    return reject(
      deps,
      agentId,
      'COMMANDS_UNKNOWN_DISPATCH',
      `no dispatch ${report.dispatchId} to this agent`,
    );
  }
  const minerIds = JSON.parse(dispatch.miner_ids) as string[];
  if (!minerIds.includes(report.minerId)) {
    return reject(
      deps,
      agentId,
      'COMMANDS_UNKNOWN_TARGET',
      `dispatch ${dispatch.id} did not name this miner`,
    );
  }
  if (dispatch.kind === 'cancel') {
    // The cancel's own outcome; what it cancelled arrives as CANCELLED under the earlier dispatch's id.
    deps.metrics.updatesIgnored += 1;
    deps.log.debug({ agentId, dispatchId: dispatch.id, state: report.state }, 'cancel acknowledged');
    return;
  }
  const command = await findCommand(deps.db, dispatch.command_id);
  let target = await findTarget(deps.db, {
    commandId: dispatch.command_id,
    agentId,
    minerId: report.minerId,
  });
  if (command === undefined || target === undefined || target.dispatch_id !== dispatch.id) {
    return reject(deps, agentId, 'COMMANDS_UNKNOWN_TARGET', `target of dispatch ${dispatch.id} not found`);
  }
  const source = { kind: 'agent' as const, agentId, dispatchId: dispatch.id };
  if (target.state === 'queued') {
    // The agent answered before the dispatcher marked the target dispatched (it does so after the PUBACK).
    const step = await moveTarget(deps, command.tenant_id, target, 'dispatched', {}, source);
    if (step.moved) target = step.row;
    else
      target =
        (await findTarget(deps.db, { commandId: command.id, agentId, minerId: report.minerId })) ?? target;
  }
  const detail = {
    ...(report.reason ? { reason: report.reason } : {}),
    ...(report.errorCode ? { errorCode: report.errorCode } : {}),
  };
  const outcome = await moveTarget(deps, command.tenant_id, target, report.state, detail, source);
  if (!outcome.moved) {
    deps.metrics.updatesIgnored += 1;
    deps.log.debug(
      { agentId, dispatchId: dispatch.id, minerId: report.minerId, why: outcome.why },
      'update ignored',
    );
    return;
  }
  deps.metrics.updatesApplied += 1;
  if (isTerminalTarget(report.state)) await settleCommand(deps, command.id);
}
