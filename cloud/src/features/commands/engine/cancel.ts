import { uuidv7 } from '../../../lib/ids.js';
import type { EngineDeps } from './context.js';
import { sendDispatch } from './publish.js';
import { findCommand } from './repository.js';
import { newNonce } from './wire.js';

// Cancelling what agents already hold: one signed CancelCommand per earlier dispatch, naming the targets of that
// dispatch that have not started. The agent reports each cancelled target CANCELLED under the earlier dispatch id
// (the consumer applies it like any update); one already running finishes and reports its own outcome.

/**
 * Sends a CancelCommand to every agent holding not-started targets of `commandId` (dispatched, received, or
 * claimed by a dispatch still being sent). Returns how many targets it asked to cancel. The command's status is
 * the caller's (cancel route, rollout abort).
 */
export async function cancelDispatched(deps: EngineDeps, commandId: string): Promise<number> {
  const command = await findCommand(deps.db, commandId);
  if (command === undefined) return 0;
  const now = deps.now();
  // An expired command can no longer start anywhere: the agent checks expiry before it starts a target.
  if (Number(command.expires_at) <= now) return 0;
  const held = await deps.db
    .selectFrom('command_target')
    .select(['agent_id', 'miner_id', 'dispatch_id'])
    .where('command_id', '=', commandId)
    .where('dispatch_id', 'is not', null)
    .where('state', 'in', ['queued', 'dispatched', 'received'])
    .orderBy('agent_id')
    .orderBy('miner_id')
    .execute();
  const byDispatch = new Map<string, { agentId: string; minerIds: string[] }>();
  for (const row of held) {
    const key = row.dispatch_id as string;
    const group = byDispatch.get(key) ?? { agentId: row.agent_id, minerIds: [] };
    group.minerIds.push(row.miner_id);
    byDispatch.set(key, group);
  }
  let asked = 0;
  for (const [earlier, { agentId, minerIds }] of byDispatch) {
    for (let i = 0; i < minerIds.length; i += deps.settings.maxMinersPerMessage) {
      const chunk = minerIds.slice(i, i + deps.settings.maxMinersPerMessage);
      const dispatch = {
        id: uuidv7(now),
        command_id: commandId,
        agent_id: agentId,
        kind: 'cancel' as const,
        miner_ids: JSON.stringify(chunk),
        nonce: Buffer.from(newNonce()).toString('base64'),
        issued_at: now,
        expires_at: Number(command.expires_at),
        published_at: null,
      };
      await deps.db.insertInto('command_dispatch').values(dispatch).execute();
      if (await sendDispatch(deps, command, dispatch, { type: 'cancel', dispatchId: earlier }))
        asked += chunk.length;
    }
  }
  if (asked > 0) deps.log.info({ commandId, targets: asked }, 'agents asked to cancel targets not started');
  return asked;
}
