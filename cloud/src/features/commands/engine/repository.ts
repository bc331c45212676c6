import { sql, type Transaction } from 'kysely';
import { type Database, type Db, dialectOf } from '../../../db/index.js';
import type { CommandDispatchTable, CommandTable, CommandTargetTable } from '../../../db/schema.js';
import { type CommandStatus, canCommandMove, type TargetState } from '../lifecycle.js';

// The engine's queries over the tables of migration 0013. Every write of a target is a compare-and-swap on its
// version, so several cloud instances (and a late duplicate update) can never apply the same step twice.

type Executor = Db | Transaction<Database>;

export type CommandRow = CommandTable;
export type TargetRow = CommandTargetTable;
export type DispatchRow = CommandDispatchTable;

/**
 * Takes an exclusive lock on one command for the rest of the transaction, or answers false when another
 * instance holds it (PostgreSQL advisory lock). SQLite runs one transaction at a time: always true.
 */
export async function tryLockCommand(trx: Transaction<Database>, commandId: string): Promise<boolean> {
  if (dialectOf(trx) !== 'postgres') return true;
  const { rows } = await sql<{
    locked: boolean;
  }>`select pg_try_advisory_xact_lock(${LOCK_SPACE}, hashtext(${commandId})) as locked`.execute(trx);
  return rows[0]?.locked === true;
}

/** The first key of the engine's two-key advisory locks (any fixed number, apart from the audit's). */
const LOCK_SPACE = 0x0c0d;

/** Active commands that are due, unexpired and still have queued targets, oldest first. */
export async function dueCommands(db: Db, now: number, limit: number): Promise<CommandRow[]> {
  return db
    .selectFrom('command')
    .selectAll()
    .where('status', '=', 'active')
    .where('not_before', '<=', now)
    .where('expires_at', '>', now)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('command_target')
          .select('command_target.miner_id')
          .whereRef('command_target.command_id', '=', 'command.id')
          .where('command_target.state', '=', 'queued')
          .where('command_target.dispatch_id', 'is', null),
      ),
    )
    .orderBy('id')
    .limit(limit)
    .execute();
}

export async function findCommand(db: Executor, commandId: string): Promise<CommandRow | undefined> {
  return db.selectFrom('command').selectAll().where('id', '=', commandId).executeTakeFirst();
}

/** Sites (null: none) with queued, unclaimed targets of one command. */
export async function queuedSites(db: Executor, commandId: string): Promise<(string | null)[]> {
  const rows = await db
    .selectFrom('command_target')
    .select('site_id')
    .distinct()
    .where('command_id', '=', commandId)
    .where('state', '=', 'queued')
    .where('dispatch_id', 'is', null)
    .execute();
  return rows.map((row) => row.site_id);
}

/** Queued, unclaimed targets of one command at one site, in (agent, miner) order, at most `limit`. */
export async function queuedTargets(
  db: Executor,
  commandId: string,
  siteId: string | null,
  limit: number,
): Promise<TargetRow[]> {
  return db
    .selectFrom('command_target')
    .selectAll()
    .where('command_id', '=', commandId)
    .where('state', '=', 'queued')
    .where('dispatch_id', 'is', null)
    .where('site_id', siteId === null ? 'is' : '=', siteId)
    .orderBy('agent_id')
    .orderBy('miner_id')
    .limit(limit)
    .execute();
}

export interface AgentKeys {
  id: string;
  revoked: boolean;
  /** Enrolled with keys: it can verify a signed command and open a sealed credential. */
  enrolled: boolean;
}

export async function agentsOf(
  db: Executor,
  tenantId: string,
  agentIds: string[],
): Promise<Map<string, AgentKeys>> {
  if (agentIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('agent')
    .select(['id', 'revoked_at', 'signing_public_key', 'box_public_key'])
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', agentIds)
    .execute();
  return new Map(
    rows.map((row) => [
      row.id,
      {
        id: row.id,
        revoked: row.revoked_at !== null,
        enrolled: row.signing_public_key !== null && row.box_public_key !== null,
      },
    ]),
  );
}

/**
 * Marks these queued targets as carried by `dispatch` and stores the dispatch with exactly the miners it got.
 * Returns those miner ids (another instance may have taken some); nothing is stored when it got none.
 */
export async function claimTargets(
  trx: Transaction<Database>,
  dispatch: DispatchRow,
  minerIds: readonly string[],
): Promise<string[]> {
  if (minerIds.length === 0) return [];
  const claimed = await trx
    .updateTable('command_target')
    .set({ dispatch_id: dispatch.id })
    .where('command_id', '=', dispatch.command_id)
    .where('agent_id', '=', dispatch.agent_id)
    .where('miner_id', 'in', [...minerIds])
    .where('state', '=', 'queued')
    .where('dispatch_id', 'is', null)
    .returning('miner_id')
    .execute();
  const got = claimed.map((row) => row.miner_id).sort();
  if (got.length > 0) {
    await trx
      .insertInto('command_dispatch')
      .values({ ...dispatch, miner_ids: JSON.stringify(got) })
      .execute();
  }
  return got;
}

export async function markPublished(db: Executor, dispatchId: string, at: number): Promise<void> {
  await db
    .updateTable('command_dispatch')
    .set({ published_at: at })
    .where('id', '=', dispatchId)
    .where('published_at', 'is', null)
    .execute();
}

/** Dispatches stored but never acknowledged by the broker (a crash or a failed publish), still valid. */
export async function unpublishedDispatches(db: Db, issuedBefore: number, now: number, limit: number) {
  return db
    .selectFrom('command_dispatch')
    .innerJoin('command', 'command.id', 'command_dispatch.command_id')
    .selectAll('command_dispatch')
    .select([
      'command.tenant_id',
      'command.type',
      'command.params',
      'command.status',
      'command.effect_timeout_s',
    ])
    .where('command_dispatch.published_at', 'is', null)
    .where('command_dispatch.issued_at', '<', issuedBefore)
    .where('command_dispatch.expires_at', '>', now)
    .orderBy('command_dispatch.issued_at')
    .limit(limit)
    .execute();
}

export async function findDispatch(db: Executor, dispatchId: string): Promise<DispatchRow | undefined> {
  return db.selectFrom('command_dispatch').selectAll().where('id', '=', dispatchId).executeTakeFirst();
}

export async function findTarget(
  db: Executor,
  key: { commandId: string; agentId: string; minerId: string },
): Promise<TargetRow | undefined> {
  return db
    .selectFrom('command_target')
    .selectAll()
    .where('command_id', '=', key.commandId)
    .where('agent_id', '=', key.agentId)
    .where('miner_id', '=', key.minerId)
    .executeTakeFirst();
}

/** Targets of one command in one of `states`. */
export async function targetsIn(
  db: Executor,
  commandId: string,
  states: readonly TargetState[],
): Promise<TargetRow[]> {
  return db
    .selectFrom('command_target')
    .selectAll()
    .where('command_id', '=', commandId)
    .where('state', 'in', [...states])
    .orderBy('agent_id')
    .orderBy('miner_id')
    .execute();
}

/** How many targets of one command are in each state. */
export async function stateCounts(
  db: Executor,
  commandId: string,
): Promise<Partial<Record<TargetState, number>>> {
  const rows = await db
    .selectFrom('command_target')
    .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
    .where('command_id', '=', commandId)
    .groupBy('state')
    .execute();
  return Object.fromEntries(rows.map((row) => [row.state, Number(row.n)]));
}

/**
 * Moves a command's status from `from` to `to` (compare and swap on the status, as the engine holds no row
 * version); false when it was not `from`. The lifecycle's command table decides what may move, as for the API.
 */
export async function moveCommand(
  db: Executor,
  commandId: string,
  from: CommandStatus,
  to: CommandStatus,
  fields: { status_reason?: string; finished_at?: number | null } = {},
): Promise<boolean> {
  if (!canCommandMove(from, to)) throw new Error(`lifecycle: command ${from} -> ${to} is not allowed`);
  const result = await db
    .updateTable('command')
    .set((eb) => ({ status: to, version: eb('version', '+', 1), ...fields }))
    .where('id', '=', commandId)
    .where('status', '=', from)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Stamps finished_at once every target is terminal (whatever the status: finished, aborted, cancelled). */
export async function stampFinished(db: Executor, commandId: string, at: number): Promise<void> {
  await db
    .updateTable('command')
    .set((eb) => ({ finished_at: at, version: eb('version', '+', 1) }))
    .where('id', '=', commandId)
    .where('finished_at', 'is', null)
    .execute();
}

/**
 * Open targets in `states` whose command expired before `cutoff` — plus its effect timeout when `withEffect`
 * (0 meaning `defaultEffectS`): at most `limit`, with their command's tenant and type.
 */
export async function overdueTargets(
  db: Db,
  states: readonly TargetState[],
  cutoff: number,
  withEffect: { defaultEffectS: number } | undefined,
  limit: number,
) {
  return db
    .selectFrom('command_target')
    .innerJoin('command', 'command.id', 'command_target.command_id')
    .selectAll('command_target')
    .select(['command.tenant_id', 'command.type'])
    .where('command_target.state', 'in', [...states])
    .where(
      withEffect === undefined
        ? sql<boolean>`command.expires_at <= ${cutoff}`
        : sql<boolean>`command.expires_at + coalesce(nullif(command.effect_timeout_s, 0), ${withEffect.defaultEffectS}) * 1000 <= ${cutoff}`,
    )
    .limit(limit)
    .execute();
}

/** Commands in `status` whose every target is terminal (a safety net for a finish missed by a crash). */
export async function commandsWithoutOpenTargets(db: Db, status: string, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('command')
    .select('id')
    .where('status', '=', status)
    .where('finished_at', 'is', null)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('command_target')
            .select('command_target.miner_id')
            .whereRef('command_target.command_id', '=', 'command.id')
            .where('command_target.state', 'in', ['queued', 'dispatched', 'received', 'running']),
        ),
      ),
    )
    .limit(limit)
    .execute();
  return rows.map((row) => row.id);
}

/** Commands awaiting approval past their expiry. */
export async function expiredUnapproved(db: Db, now: number, limit: number): Promise<CommandRow[]> {
  return db
    .selectFrom('command')
    .selectAll()
    .where('status', '=', 'awaiting_approval')
    .where('expires_at', '<=', now)
    .limit(limit)
    .execute();
}

/**
 * Run dispatches of an agent that it has not acknowledged (a target still dispatched), unexpired, of active
 * commands, oldest first: what a (re)connecting agent may have missed while its clean session was away.
 */
export async function unreceivedDispatches(db: Db, agentId: string, now: number, limit: number) {
  return db
    .selectFrom('command_dispatch')
    .innerJoin('command', 'command.id', 'command_dispatch.command_id')
    .selectAll('command_dispatch')
    .select(['command.tenant_id', 'command.type', 'command.params', 'command.effect_timeout_s'])
    .where('command_dispatch.agent_id', '=', agentId)
    .where('command_dispatch.kind', '=', 'run')
    .where('command_dispatch.published_at', 'is not', null)
    .where('command_dispatch.expires_at', '>', now)
    .where('command.status', '=', 'active')
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('command_target')
          .select('command_target.miner_id')
          .whereRef('command_target.dispatch_id', '=', 'command_dispatch.id')
          .where('command_target.state', '=', 'dispatched'),
      ),
    )
    .orderBy('command_dispatch.issued_at')
    .limit(limit)
    .execute();
}
