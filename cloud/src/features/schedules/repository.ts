import type { Db } from '../../db/index.js';
import type { CommandScheduleTable } from '../../db/schema.js';

// Every query of a route names the tenant and the site: an id alone never reaches another tenant's schedule.

export type ScheduleRow = CommandScheduleTable & { timezone: string };

function withZone(db: Db) {
  return db
    .selectFrom('command_schedule')
    .innerJoin('site', (join) =>
      join
        .onRef('site.id', '=', 'command_schedule.site_id')
        .onRef('site.tenant_id', '=', 'command_schedule.tenant_id'),
    )
    .selectAll('command_schedule')
    .select('site.timezone');
}

export function listSchedules(db: Db, tenantId: string, siteId: string): Promise<ScheduleRow[]> {
  return withZone(db)
    .where('command_schedule.tenant_id', '=', tenantId)
    .where('command_schedule.site_id', '=', siteId)
    .orderBy('command_schedule.id')
    .execute();
}

export function findSchedule(
  db: Db,
  tenantId: string,
  siteId: string,
  id: string,
): Promise<ScheduleRow | undefined> {
  return withZone(db)
    .where('command_schedule.tenant_id', '=', tenantId)
    .where('command_schedule.site_id', '=', siteId)
    .where('command_schedule.id', '=', id)
    .executeTakeFirst();
}

/** Every enabled schedule of every tenant (the runner). */
export function enabledSchedules(db: Db): Promise<ScheduleRow[]> {
  return withZone(db).where('command_schedule.enabled', '=', 1).orderBy('command_schedule.id').execute();
}

export async function siteZone(db: Db, tenantId: string, siteId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('site')
    .select('timezone')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', siteId)
    .executeTakeFirst();
  return row?.timezone;
}

/** How many of these (agent, miner) pairs are miners of the site. */
export async function minersAtSite(
  db: Db,
  tenantId: string,
  siteId: string,
  miners: readonly { agentId?: string; minerId: string }[],
): Promise<number> {
  if (miners.length === 0) return 0;
  const rows = await db
    .selectFrom('miner')
    .select(['agent_id', 'id'])
    .where('tenant_id', '=', tenantId)
    .where('site_id', '=', siteId)
    .where(
      'id',
      'in',
      miners.map((m) => m.minerId),
    )
    .execute();
  return miners.filter((m) =>
    rows.some((r) => r.id === m.minerId && (m.agentId === undefined || r.agent_id === m.agentId)),
  ).length;
}

export async function insertSchedule(db: Db, row: CommandScheduleTable): Promise<void> {
  await db.insertInto('command_schedule').values(row).execute();
}

export async function updateSchedule(
  db: Db,
  tenantId: string,
  siteId: string,
  id: string,
  changes: Partial<
    Pick<CommandScheduleTable, 'name' | 'cron' | 'enabled' | 'template' | 'updated_at' | 'updated_by'>
  >,
): Promise<boolean> {
  const result = await db
    .updateTable('command_schedule')
    .set((eb) => ({ ...changes, version: eb('version', '+', 1) }))
    .where('tenant_id', '=', tenantId)
    .where('site_id', '=', siteId)
    .where('id', '=', id)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function deleteSchedule(db: Db, tenantId: string, siteId: string, id: string): Promise<boolean> {
  const result = await db
    .deleteFrom('command_schedule')
    .where('tenant_id', '=', tenantId)
    .where('site_id', '=', siteId)
    .where('id', '=', id)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Records a fire's outcome (the last one written wins; both instances write the same command id). */
export async function recordFire(
  db: Db,
  id: string,
  fire: { at: number; commandId: string | null; error: string },
): Promise<void> {
  await db
    .updateTable('command_schedule')
    .set({ last_fired_at: fire.at, last_command_id: fire.commandId, last_error: fire.error.slice(0, 500) })
    .where('id', '=', id)
    .execute();
}
