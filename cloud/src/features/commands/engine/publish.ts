import { agentTopic } from '@hashinsight/protocol';
import { movedChanges, publishTargetChanges } from '../events.js';
import { transitionTargetsInState } from '../repository.js';
import { targetCredential, wireActionOf } from './actions.js';
import { audit } from './audit.js';
import { changeOf } from './changes.js';
import type { EngineDeps } from './context.js';
import {
  type CommandRow,
  type DispatchRow,
  findCommand,
  findTarget,
  markPublished,
  type TargetRow,
} from './repository.js';
import { credentialsOf, signedMessage, type WireAction } from './wire.js';

// Sending one stored dispatch: the sealed credentials it needs first, then the signed message, then — once the
// broker has it (QoS 1) — the dispatch marked published and its targets dispatched. A dispatch that fails half
// way stays unpublished and the sweeper sends it again from the stored fields, byte for byte: an agent that did
// get it refuses the copy as a replay, one that did not runs it once.

/** The action a stored dispatch carries, rebuilt from the command and the targets it names. */
export async function actionOfDispatch(
  deps: EngineDeps,
  command: Pick<CommandRow, 'type' | 'params'>,
  dispatch: DispatchRow,
): Promise<WireAction> {
  const minerIds = JSON.parse(dispatch.miner_ids) as string[];
  const first = await findTarget(deps.db, {
    commandId: dispatch.command_id,
    agentId: dispatch.agent_id,
    minerId: minerIds[0] ?? '',
  });
  if (dispatch.kind === 'cancel') {
    // A cancel names targets of one earlier dispatch; the target rows still point at it.
    return { type: 'cancel', dispatchId: first?.dispatch_id ?? '' };
  }
  return wireActionOf(command.type, command.params, first ? targetCredential(first) : undefined);
}

/** Sends one dispatch; true once the broker took it (and it is marked published). Never throws. */
export async function sendDispatch(
  deps: EngineDeps,
  command: Pick<CommandRow, 'id' | 'tenant_id' | 'effect_timeout_s'>,
  dispatch: DispatchRow,
  action: WireAction,
): Promise<boolean> {
  const minerIds = JSON.parse(dispatch.miner_ids) as string[];
  const log = deps.log.child({ commandId: command.id, dispatchId: dispatch.id, agentId: dispatch.agent_id });
  if (dispatch.kind === 'run' && (await withdrawnBeforeSending(deps, command, dispatch))) return false;
  try {
    for (const ref of credentialsOf(action)) {
      await deps.vault.sendSealed(command.tenant_id, ref, dispatch.agent_id, minerIds);
    }
    const bytes = signedMessage(
      {
        dispatchId: dispatch.id,
        agentId: dispatch.agent_id,
        minerIds,
        nonce: Buffer.from(dispatch.nonce, 'base64'),
        issuedAtMs: Number(dispatch.issued_at),
        expiresAtMs: Number(dispatch.expires_at),
        effectTimeoutS: Number(command.effect_timeout_s),
      },
      action,
      await deps.vault.signingKey(),
    );
    await deps.broker.publish(agentTopic(dispatch.agent_id, 'command'), bytes, { qos: 1, retain: false });
  } catch (error) {
    deps.metrics.publishFailures += 1;
    log.warn({ err: error }, 'dispatch not sent; the sweeper sends it again');
    return false;
  }
  const now = deps.now();
  await markPublished(deps.db, dispatch.id, now);
  deps.metrics.messagesPublished += 1;
  log.info({ kind: dispatch.kind, action: action.type, targets: minerIds.length }, 'dispatch published');
  await audit(deps, {
    tenantId: command.tenant_id,
    actorId: 'engine:dispatcher',
    method: 'MQTT',
    route: `${dispatch.kind === 'cancel' ? 'cancel' : action.type} to agent ${dispatch.agent_id} (${minerIds.length} miners)`,
    targetId: command.id,
    success: true,
    requestId: dispatch.id,
  });
  if (dispatch.kind === 'run') await markDispatched(deps, command.tenant_id, dispatch.id, now);
  return true;
}

/**
 * A run claimed while its command was active may be about to go out after an operator cancelled it or the rollout
 * aborted: read the status again just before publishing, and cancel the claimed targets here instead (the agent
 * would otherwise run them; a cancel it gets before the run is refused as unknown).
 */
async function withdrawnBeforeSending(
  deps: EngineDeps,
  command: Pick<CommandRow, 'id' | 'tenant_id'>,
  dispatch: DispatchRow,
): Promise<boolean> {
  const current = await findCommand(deps.db, command.id);
  if (current === undefined || current.status === 'active') return false;
  const now = deps.now();
  const reason = `${current.status} before it was sent`;
  const moved = await transitionTargetsInState(
    deps.db,
    command.id,
    'queued',
    'cancelled',
    now,
    { reason },
    {
      dispatchId: dispatch.id,
    },
  );
  deps.log.info(
    { commandId: command.id, dispatchId: dispatch.id, targets: moved.length },
    'dispatch withdrawn',
  );
  for (const row of moved) {
    if (row.credential_id === null || row.credential_version === null) continue;
    // A login rotation that will never run: its pending login goes (the agent may hold it sealed, unused).
    await deps.vault
      .discardPending(command.tenant_id, { credentialId: row.credential_id, version: row.credential_version })
      .catch((error: unknown) => deps.log.warn({ err: error }, 'pending login not discarded'));
  }
  await publishTargetChanges(
    deps.notifier,
    command.tenant_id,
    movedChanges(command.id, moved, 'cancelled', now, reason),
  ).catch(() => undefined);
  return true;
}

// queued -> dispatched in one statement for a whole message (5,000 miners would otherwise be 5,000 swaps); the
// lifecycle allows the step (engine.test.ts checks it still does) and the version still moves by one.
async function markDispatched(
  deps: EngineDeps,
  tenantId: string,
  dispatchId: string,
  now: number,
): Promise<void> {
  const moved: TargetRow[] = await deps.db
    .updateTable('command_target')
    .set((eb) => ({
      state: 'dispatched',
      dispatched_at: now,
      updated_at: now,
      version: eb('version', '+', 1),
    }))
    .where('dispatch_id', '=', dispatchId)
    .where('state', '=', 'queued')
    .returningAll()
    .execute();
  deps.metrics.targetsDispatched += moved.length;
  await publishTargetChanges(deps.notifier, tenantId, moved.map(changeOf)).catch((error: unknown) =>
    deps.log.warn({ err: error, dispatchId }, 'target changes not streamed'),
  );
}
