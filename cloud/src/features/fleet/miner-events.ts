import type { Db } from '../../db/index.js';
import type { Principal } from '../../plugins/access.js';
import { selectMinerTargets } from '../commands/index.js';
import { minerNotFound, scopedMiner } from '../miners/index.js';
import { statusChanges } from '../telemetry/index.js';

// GET /api/miners/:agentId/:minerId/events: what happened to one miner — its status changes, derived from the raw
// samples as the portal's events are (telemetry's statusChanges), and, for staff, the results of commands on it.
// Here rather than in the miners feature because it reads the commands', and the commands feature reads miners.

export type MinerEvent =
  | { at: string; kind: 'status'; from: string; to: string }
  | {
      at: string;
      kind: 'command';
      commandId: string;
      commandType: string;
      /** The target's state on this miner (queued ... succeeded, failed, ...). */
      state: string;
      /** Why it failed or was cancelled, as the agent or the cloud said; '' when nothing to say. */
      detail: string;
      errorCode: string;
    };

const NO_CUSTOMER = '\u0000';

/**
 * The miner's events in [fromMs, toMs), newest first, at most `limit`; 404 alike for a missing miner and one out
 * of the caller's scope (another tenant's, or for a customer another customer's).
 */
export async function minerEvents(
  db: Db,
  principal: Principal,
  miner: { agentId: string; minerId: string },
  range: { fromMs: number; toMs: number; limit: number; staleBefore: number },
): Promise<{ events: MinerEvent[]; truncated: boolean }> {
  const found = await scopedMiner(db, principal, miner.agentId, miner.minerId, range.staleBefore)
    .select('miner.id')
    .executeTakeFirst();
  if (found === undefined) throw minerNotFound();
  const customer = principal.role === 'customer';
  const changes = await statusChanges(
    db,
    {
      tenantId: principal.tenantId,
      customerId: customer ? (principal.customerId ?? NO_CUSTOMER) : null,
      miner,
    },
    { fromMs: range.fromMs, toMs: range.toMs, limit: range.limit },
  );
  // Commands are staff business (hosting permission): a customer sees its miner's status only.
  const targets = customer
    ? []
    : await selectMinerTargets(db, principal.tenantId, miner, range.fromMs, range.toMs, range.limit + 1);
  const events: (MinerEvent & { ms: number })[] = [
    ...changes.map((row) => ({
      ms: row.time_ms,
      at: new Date(row.time_ms).toISOString(),
      kind: 'status' as const,
      from: row.previous,
      to: row.status,
    })),
    ...targets.map((row) => ({
      ms: row.at,
      at: new Date(row.at).toISOString(),
      kind: 'command' as const,
      commandId: row.command_id,
      commandType: row.type,
      state: row.state,
      detail: row.reason,
      errorCode: row.error_code,
    })),
  ].sort((a, b) => b.ms - a.ms);
  return {
    events: events.slice(0, range.limit).map(({ ms: _ms, ...event }) => event),
    truncated: events.length > range.limit,
  };
}
