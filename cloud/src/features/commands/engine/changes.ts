import type { TargetChange } from '../events.js';
import type { TargetState } from '../lifecycle.js';
import type { TargetRow } from './repository.js';

/** A target row as the live stream shows its change. */
export function changeOf(row: TargetRow): TargetChange {
  return {
    commandId: row.command_id,
    agentId: row.agent_id,
    minerId: row.miner_id,
    state: row.state as TargetState,
    version: Number(row.version),
    at: Number(row.updated_at),
    ...(row.reason ? { reason: row.reason } : {}),
    ...(row.error_code ? { errorCode: row.error_code } : {}),
  };
}
