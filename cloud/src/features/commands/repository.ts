import { type Kysely, sql, type Transaction } from 'kysely';
import type { Db } from '../../db/index.js';
import type { CommandIdempotencyTable, CommandTable, CommandTargetTable, Database } from '../../db/schema.js';
import type { Principal } from '../../plugins/access.js';
import { type FleetFilters, type IpLookup, scopedMiners } from '../miners/index.js';
import type { CommandListFilters } from './cursor.js';
import {
  type CommandStatus,
  canCommandMove,
  type TargetPatch,
  type TargetState,
  transitionTarget,
} from './lifecycle.js';

// Kysely queries of the command tables, `db` (or a transaction) first. Both dialects.

type Executor = Db | Transaction<Database> | Kysely<Database>;

/** Rows per multi-row statement: well under SQLite's and PostgreSQL's parameter limits. */
const CHUNK = 400;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A miner a command may target, with what its driver can do. */
export interface TargetMiner {
  agentId: string;
  minerId: string;
  siteId: string | null;
  /** JSON array text, as stored. */
  capabilities: string;
  /** The agent driver that commands it ('' before its agent reported one). */
  driver: string;
}

const targetColumns = [
  'miner.driver as driver',
  'miner.agent_id as agentId',
  'miner.id as minerId',
  'miner.site_id as siteId',
  'miner.capabilities as capabilities',
] as const;

/** The tenant's miners with these ids (under any agent). */
export async function minersByIds(db: Db, tenantId: string, ids: readonly string[]): Promise<TargetMiner[]> {
  const found: TargetMiner[] = [];
  for (const part of chunks(ids)) {
    found.push(
      ...(await db
        .selectFrom('miner')
        .select(targetColumns)
        .where('tenant_id', '=', tenantId)
        .where('id', 'in', part)
        .execute()),
    );
  }
  return found;
}

/** The tenant's miners among these (agent, miner) pairs. */
export async function minersByKeys(
  db: Db,
  tenantId: string,
  keys: readonly { agentId: string; minerId: string }[],
): Promise<TargetMiner[]> {
  const byAgent = new Map<string, string[]>();
  for (const key of keys) byAgent.set(key.agentId, [...(byAgent.get(key.agentId) ?? []), key.minerId]);
  const found: TargetMiner[] = [];
  for (const [agentId, minerIds] of byAgent) {
    for (const part of chunks(minerIds)) {
      found.push(
        ...(await db
          .selectFrom('miner')
          .select(targetColumns)
          .where('tenant_id', '=', tenantId)
          .where('agent_id', '=', agentId)
          .where('id', 'in', part)
          .execute()),
      );
    }
  }
  return found;
}

export async function siteExists(db: Db, tenantId: string, siteId: string): Promise<boolean> {
  const row = await db
    .selectFrom('site')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', siteId)
    .executeTakeFirst();
  return row !== undefined;
}

/** Up to `limit` miners of the principal's scope matching the fleet filters (a site is one such filter). */
export async function minersByFilter(
  db: Db,
  principal: Principal,
  filters: FleetFilters,
  staleBefore: number,
  limit: number,
  ipLookup?: IpLookup,
): Promise<TargetMiner[]> {
  return scopedMiners(db, principal, filters, staleBefore, ipLookup)
    .select(targetColumns)
    .orderBy('miner.agent_id')
    .orderBy('miner.id')
    .limit(limit)
    .execute();
}

/** How many miners each of these sites has. */
export async function minersPerSite(
  db: Db,
  tenantId: string,
  siteIds: readonly string[],
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const part of chunks(siteIds)) {
    const rows = await db
      .selectFrom('miner')
      .select(['site_id', db.fn.countAll<string | number>().as('count')])
      .where('tenant_id', '=', tenantId)
      .where('site_id', 'in', part)
      .groupBy('site_id')
      .execute();
    for (const row of rows) if (row.site_id !== null) counts.set(row.site_id, Number(row.count));
  }
  return counts;
}

export type NewTarget = Omit<CommandTargetTable, 'version'>;

/** The command and its targets, in the caller's transaction. */
export async function insertCommand(
  trx: Executor,
  command: CommandTable,
  targets: NewTarget[],
): Promise<void> {
  await trx.insertInto('command').values(command).execute();
  for (const part of chunks(targets, 200)) {
    await trx
      .insertInto('command_target')
      .values(part.map((target) => ({ ...target, version: 0 })))
      .execute();
  }
}

/** The live entry of a key, if any (an expired one counts as none). */
export async function findIdempotency(
  db: Executor,
  key: { tenantId: string; principalId: string; key: string },
  now: number,
): Promise<CommandIdempotencyTable | undefined> {
  return db
    .selectFrom('command_idempotency')
    .selectAll()
    .where('tenant_id', '=', key.tenantId)
    .where('principal_id', '=', key.principalId)
    .where('key', '=', key.key)
    .where('expires_at', '>', now)
    .executeTakeFirst();
}

/** Claims the key for this command; false when a live entry already holds it (an expired one is replaced). */
export async function claimIdempotency(trx: Executor, row: CommandIdempotencyTable): Promise<boolean> {
  const result = await trx
    .insertInto('command_idempotency')
    .values(row)
    .onConflict((oc) =>
      oc
        .columns(['tenant_id', 'principal_id', 'key'])
        .doUpdateSet({
          request_hash: row.request_hash,
          command_id: row.command_id,
          created_at: row.created_at,
          expires_at: row.expires_at,
        })
        .where('command_idempotency.expires_at', '<=', row.created_at),
    )
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function deleteExpiredIdempotency(db: Db, now: number): Promise<number> {
  const result = await db.deleteFrom('command_idempotency').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function findCommand(
  db: Executor,
  tenantId: string,
  id: string,
): Promise<CommandTable | undefined> {
  return db
    .selectFrom('command')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/**
 * Newest first, `limit` + 1 rows (the extra one says there is a next page), narrowed by the list's filters.
 */
export async function selectCommandPage(
  db: Db,
  tenantId: string,
  filters: CommandListFilters,
  limit: number,
  beforeId: string | undefined,
): Promise<CommandTable[]> {
  let query = db.selectFrom('command').selectAll().where('tenant_id', '=', tenantId);
  if (beforeId !== undefined) query = query.where('id', '<', beforeId);
  if (filters.status !== undefined) query = query.where('status', '=', filters.status);
  if (filters.createdBy !== undefined) query = query.where('created_by', '=', filters.createdBy);
  const { agentId, minerId } = filters;
  if (agentId !== undefined && minerId !== undefined) {
    // The miner's targets through the (agent_id, miner_id, …) index of 0017, not a probe per command of the
    // tenant: a miner with few commands would otherwise walk the whole list.
    query = query.where('id', 'in', (eb) =>
      eb
        .selectFrom('command_target')
        .select('command_target.command_id')
        .where('command_target.agent_id', '=', agentId)
        .where('command_target.miner_id', '=', minerId),
    );
  }
  return query
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
}

/** A command's target on one miner, with what the command was. */
export interface MinerTargetRow {
  command_id: string;
  type: string;
  state: string;
  reason: string;
  error_code: string;
  /** When the target last changed (its finish, else its latest step). */
  at: number;
}

/**
 * The tenant's command targets on one miner that last changed in [fromMs, toMs), newest first, at most `limit`
 * (index command_target_miner_idx).
 */
export async function selectMinerTargets(
  db: Db,
  tenantId: string,
  miner: { agentId: string; minerId: string },
  fromMs: number,
  toMs: number,
  limit: number,
): Promise<MinerTargetRow[]> {
  const rows = await db
    .selectFrom('command_target as t')
    .innerJoin('command as c', 'c.id', 't.command_id')
    .select(['t.command_id', 'c.type', 't.state', 't.reason', 't.error_code', 't.updated_at as at'])
    .where('t.agent_id', '=', miner.agentId)
    .where('t.miner_id', '=', miner.minerId)
    .where('c.tenant_id', '=', tenantId)
    .where('t.updated_at', '>=', fromMs)
    .where('t.updated_at', '<', toMs)
    .orderBy('t.updated_at', 'desc')
    .orderBy('t.command_id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ ...row, at: Number(row.at) }));
}

export async function selectTargets(db: Executor, commandId: string): Promise<CommandTargetTable[]> {
  return db
    .selectFrom('command_target')
    .selectAll()
    .where('command_id', '=', commandId)
    .orderBy('agent_id')
    .orderBy('miner_id')
    .execute();
}

/** Targets per state of each command. */
export async function targetCounts(
  db: Executor,
  commandIds: readonly string[],
): Promise<Map<string, Partial<Record<TargetState, number>>>> {
  const counts = new Map<string, Partial<Record<TargetState, number>>>();
  if (commandIds.length === 0) return counts;
  const rows = await db
    .selectFrom('command_target')
    .select(['command_id', 'state', db.fn.countAll<string | number>().as('count')])
    .where('command_id', 'in', commandIds)
    .groupBy(['command_id', 'state'])
    .execute();
  for (const row of rows) {
    const entry = counts.get(row.command_id) ?? {};
    entry[row.state as TargetState] = Number(row.count);
    counts.set(row.command_id, entry);
  }
  return counts;
}

export interface TargetKey {
  commandId: string;
  agentId: string;
  minerId: string;
}

/**
 * Writes a transition (lifecycle.transitionTarget) where the row still has the version it was computed from:
 * false when another instance moved the target first (read again and decide again).
 */
export async function applyTargetPatch(
  db: Executor,
  key: TargetKey,
  fromVersion: number,
  patch: TargetPatch,
): Promise<boolean> {
  const result = await db
    .updateTable('command_target')
    .set(patch)
    .where('command_id', '=', key.commandId)
    .where('agent_id', '=', key.agentId)
    .where('miner_id', '=', key.minerId)
    .where('version', '=', fromVersion)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** A target that a bulk transition moved: what its change event and the vault clean-up need. */
export interface MovedTarget {
  agent_id: string;
  miner_id: string;
  version: number;
  credential_id: string | null;
  credential_version: number | null;
}

/**
 * Moves every target of a command in state `from` to `to` (a move the lifecycle allows, else it throws), each
 * version +1, and returns the rows it moved. The state in the WHERE clause makes it safe against concurrent
 * moves of the same rows.
 */
export async function transitionTargetsInState(
  db: Executor,
  commandId: string,
  from: TargetState,
  to: TargetState,
  at: number,
  detail: { reason?: string; errorCode?: string } = {},
  options: { unclaimedOnly?: boolean; dispatchId?: string } = {},
): Promise<MovedTarget[]> {
  const result = transitionTarget({ state: from, version: 0 }, to, at, detail);
  if (!result.ok) throw new Error(`lifecycle: ${from} -> ${to} is not allowed (${result.why})`);
  const { version: _version, ...patch } = result.patch;
  let update = db
    .updateTable('command_target')
    .set({ ...patch, version: sql<number>`version + 1` })
    .where('command_id', '=', commandId)
    .where('state', '=', from);
  // A target a dispatch has claimed may already be on its way to the agent: only the agent can stop it now.
  if (options.unclaimedOnly) update = update.where('dispatch_id', 'is', null);
  if (options.dispatchId !== undefined) update = update.where('dispatch_id', '=', options.dispatchId);
  return update
    .returning(['agent_id', 'miner_id', 'version', 'credential_id', 'credential_version'])
    .execute();
}

/**
 * Moves a command from `from` (at `fromVersion`) to `to`, with the other columns of `patch`; false when it was
 * no longer there (another instance moved it). Throws for a move the lifecycle does not allow.
 */
export async function moveCommand(
  db: Executor,
  command: Pick<CommandTable, 'id' | 'status' | 'version'>,
  to: CommandStatus,
  patch: Partial<Omit<CommandTable, 'id' | 'status' | 'version'>> = {},
): Promise<boolean> {
  const from = command.status as CommandStatus;
  if (!canCommandMove(from, to)) throw new Error(`lifecycle: command ${from} -> ${to} is not allowed`);
  const result = await db
    .updateTable('command')
    .set({ ...patch, status: to, version: command.version + 1 })
    .where('id', '=', command.id)
    .where('status', '=', from)
    .where('version', '=', command.version)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Commands awaiting approval past their approval window (the sweeper expires them). */
export async function selectUnapprovedBefore(db: Db, createdBefore: number, limit: number) {
  return db
    .selectFrom('command')
    .selectAll()
    .where('status', '=', 'awaiting_approval')
    .where('created_at', '<', createdBefore)
    .orderBy('created_at')
    .limit(limit)
    .execute();
}

/** Whether every target of the command is in a final state. */
export async function noOpenTargets(db: Executor, commandId: string): Promise<boolean> {
  const open = await db
    .selectFrom('command_target')
    .select('miner_id')
    .where('command_id', '=', commandId)
    .where('state', 'in', ['queued', 'dispatched', 'received', 'running'])
    .limit(1)
    .executeTakeFirst();
  return open === undefined;
}
