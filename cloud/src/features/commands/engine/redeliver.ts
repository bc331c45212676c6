import type { EngineDeps } from './context.js';
import { actionOfDispatch, sendDispatch } from './publish.js';
import { unreceivedDispatches } from './repository.js';

// Agents keep clean MQTT sessions (their telemetry outbox is their durability), so a command published while an
// agent was away never reaches it: the broker keeps nothing for it. When the agent comes back (its birth), every
// unexpired dispatch it has not acknowledged is sent again, byte for byte: an agent that did get it refuses the
// copy as a replay (journaled), one that did not runs it once.

const BATCH = 500;

/** Sends an agent the dispatches it has not acknowledged; resolves to how many went out. Never throws. */
export async function redeliverToAgent(deps: EngineDeps, agentId: string): Promise<number> {
  let sent = 0;
  for (const row of await unreceivedDispatches(deps.db, agentId, deps.now(), BATCH)) {
    const { tenant_id, type, params, effect_timeout_s, ...dispatch } = row;
    try {
      const action = await actionOfDispatch(deps, { type, params }, dispatch);
      const command = { id: dispatch.command_id, tenant_id, effect_timeout_s };
      if (await sendDispatch(deps, command, dispatch, action)) sent += 1;
    } catch (error) {
      deps.log.error({ err: error, dispatchId: dispatch.id, agentId }, 'dispatch could not be redelivered');
    }
  }
  deps.metrics.resends += sent;
  return sent;
}
