import { appendAuditRow } from '../../audit/index.js';
import type { EngineDeps } from './context.js';
import type { TargetRow } from './repository.js';

// The engine's audit rows: dispatches, results and aborts, which no HTTP hook sees. Ids, states and codes only.

/** Who made a change: an agent's report or the engine itself (sweeper, abort, cancel). */
export type ChangeSource =
  | { kind: 'agent'; agentId: string; dispatchId: string }
  | { kind: 'engine'; job: string };

export async function auditResult(
  deps: EngineDeps,
  tenantId: string,
  row: TargetRow,
  source: ChangeSource,
): Promise<void> {
  await audit(deps, {
    tenantId,
    actorId: source.kind === 'agent' ? `agent:${source.agentId}` : `engine:${source.job}`,
    method: source.kind === 'agent' ? 'MQTT' : 'ENGINE',
    route:
      source.kind === 'agent'
        ? `command-update ${row.state}${row.error_code ? ` ${row.error_code}` : ''}`
        : `${source.job} ${row.state}`,
    targetId: `${row.command_id}/${row.agent_id}/${row.miner_id}`,
    success: row.state === 'succeeded',
    requestId: source.kind === 'agent' ? source.dispatchId : (row.dispatch_id ?? row.command_id),
  });
}

/** One audit row for something the engine did or heard over MQTT (never a secret: ids, states and codes). */
export async function audit(
  deps: EngineDeps,
  entry: {
    tenantId: string;
    actorId: string;
    method: 'MQTT' | 'ENGINE';
    route: string;
    targetId: string;
    success: boolean;
    requestId: string;
  },
): Promise<void> {
  try {
    await appendAuditRow(deps.db, {
      at: deps.now(),
      tenant_id: entry.tenantId,
      actor_kind: 'anonymous',
      actor_id: entry.actorId.slice(0, 200),
      email: null,
      method: entry.method,
      route: entry.route.slice(0, 200),
      target_id: entry.targetId.slice(0, 200),
      status_code: 0,
      outcome: entry.success ? 'success' : 'failure',
      request_id: entry.requestId.slice(0, 200),
      ip: '',
    });
  } catch (error) {
    deps.log.error({ err: error, targetId: entry.targetId }, 'engine audit row not written');
  }
}
