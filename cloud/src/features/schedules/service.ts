import type { Db } from '../../db/index.js';
import { AppError } from '../../http/errors.js';
import { uuidv7 } from '../../lib/ids.js';
import { PERMISSIONS, type Principal } from '../../plugins/access.js';
import { type CommandDeps, type CreateCommandBody, createCommand } from '../commands/index.js';
import { checkCron, fireKey, firesAt, minuteOf, nextFires } from './cron.js';
import { cronInvalid, scheduleNotFound, secretRefused, siteNotFound, templateInvalid } from './errors.js';
import {
  deleteSchedule,
  enabledSchedules,
  findSchedule,
  insertSchedule,
  listSchedules,
  minersAtSite,
  recordFire,
  type ScheduleRow,
  siteZone,
  updateSchedule,
} from './repository.js';
import type { CommandTemplate, ScheduleInput } from './schemas.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

export interface ScheduleView {
  id: string;
  siteId: string;
  name: string;
  cron: string;
  timezone: string;
  enabled: boolean;
  command: CommandTemplate;
  nextRuns: string[];
  lastFiredAt: string | null;
  lastCommandId: string | null;
  lastError: string;
  createdAt: string;
  updatedAt: string;
}

function toView(row: ScheduleRow): ScheduleView {
  const enabled = Number(row.enabled) === 1;
  return {
    id: row.id,
    siteId: row.site_id,
    name: row.name,
    cron: row.cron,
    timezone: row.timezone,
    enabled,
    command: JSON.parse(row.template) as CommandTemplate,
    nextRuns: enabled ? nextFires(row.cron, row.timezone, 3) : [],
    lastFiredAt: iso(row.last_fired_at),
    lastCommandId: row.last_command_id,
    lastError: row.last_error,
    createdAt: iso(row.created_at) as string,
    updatedAt: iso(row.updated_at) as string,
  };
}

/** Checks what the schema cannot: no secret in the template, named miners at this site. */
async function checkTemplate(
  db: Db,
  tenantId: string,
  siteId: string,
  template: CommandTemplate,
): Promise<void> {
  if (template.type === 'update_credentials') throw secretRefused();
  const pools = (template.params as { pools?: { password?: unknown }[] } | undefined)?.pools ?? [];
  if (pools.some((pool) => pool.password !== undefined)) throw secretRefused();
  const targets = template.targets;
  if (targets === undefined || 'filter' in targets) return;
  const named = 'minerIds' in targets ? targets.minerIds.map((minerId) => ({ minerId })) : targets.miners;
  if ((await minersAtSite(db, tenantId, siteId, named)) !== named.length) {
    throw templateInvalid('every named miner must be a miner of this site');
  }
}

function cronOf(text: string): string {
  const check = checkCron(text);
  if (!check.ok) throw cronInvalid(check.reason);
  return text.trim().split(/\s+/).join(' ');
}

async function zoneOf(db: Db, principal: Principal, siteId: string): Promise<string> {
  const zone = await siteZone(db, principal.tenantId, siteId);
  if (zone === undefined) throw siteNotFound();
  return zone;
}

export async function getSchedules(db: Db, principal: Principal, siteId: string): Promise<ScheduleView[]> {
  await zoneOf(db, principal, siteId);
  return (await listSchedules(db, principal.tenantId, siteId)).map(toView);
}

export async function getSchedule(
  db: Db,
  principal: Principal,
  siteId: string,
  id: string,
): Promise<ScheduleView> {
  const row = await findSchedule(db, principal.tenantId, siteId, id);
  if (row === undefined) throw scheduleNotFound();
  return toView(row);
}

export async function createSchedule(
  db: Db,
  principal: Principal,
  siteId: string,
  input: Required<Pick<ScheduleInput, 'name' | 'cron' | 'command'>> & ScheduleInput,
  now: number,
): Promise<ScheduleView> {
  await zoneOf(db, principal, siteId);
  const cron = cronOf(input.cron);
  await checkTemplate(db, principal.tenantId, siteId, input.command);
  const id = uuidv7(now);
  await insertSchedule(db, {
    id,
    tenant_id: principal.tenantId,
    site_id: siteId,
    name: input.name.trim(),
    cron,
    enabled: input.enabled === false ? 0 : 1,
    template: JSON.stringify(input.command),
    created_by: principal.userId,
    updated_by: principal.userId,
    created_at: now,
    updated_at: now,
    last_fired_at: null,
    last_command_id: null,
    last_error: '',
    version: 0,
  });
  return getSchedule(db, principal, siteId, id);
}

export async function changeSchedule(
  db: Db,
  principal: Principal,
  siteId: string,
  id: string,
  input: ScheduleInput,
  now: number,
): Promise<ScheduleView> {
  if ((await findSchedule(db, principal.tenantId, siteId, id)) === undefined) throw scheduleNotFound();
  if (input.command !== undefined) await checkTemplate(db, principal.tenantId, siteId, input.command);
  const updated = await updateSchedule(db, principal.tenantId, siteId, id, {
    ...(input.name === undefined ? {} : { name: input.name.trim() }),
    ...(input.cron === undefined ? {} : { cron: cronOf(input.cron) }),
    ...(input.enabled === undefined ? {} : { enabled: input.enabled ? 1 : 0 }),
    ...(input.command === undefined ? {} : { template: JSON.stringify(input.command) }),
    updated_by: principal.userId,
    updated_at: now,
  });
  if (!updated) throw scheduleNotFound();
  return getSchedule(db, principal, siteId, id);
}

export async function removeSchedule(
  db: Db,
  principal: Principal,
  siteId: string,
  id: string,
): Promise<void> {
  if (!(await deleteSchedule(db, principal.tenantId, siteId, id))) throw scheduleNotFound();
}

/** The command body a fire creates: the template, targets defaulting to the site, a filter narrowed to it. */
export function bodyOf(row: Pick<ScheduleRow, 'template' | 'site_id'>): CreateCommandBody {
  const template = JSON.parse(row.template) as CommandTemplate;
  const targets =
    template.targets === undefined
      ? { siteId: row.site_id }
      : 'filter' in template.targets
        ? { filter: { ...template.targets.filter, siteId: row.site_id } }
        : template.targets;
  return { ...template, targets } as unknown as CreateCommandBody;
}

/**
 * The operator a schedule's commands are made in the name of: whoever last created or changed it (so that operator
 * cannot approve them), while still an enabled user of the tenant allowed to send commands. Otherwise the fire is
 * refused (recorded as the schedule's last error).
 */
async function principalOf(db: Db, row: ScheduleRow): Promise<Principal | undefined> {
  const user = await db
    .selectFrom('user')
    .select(['id', 'role', 'disabled_at'])
    .where('id', '=', row.updated_by)
    .where('tenant_id', '=', row.tenant_id)
    .executeTakeFirst();
  const allowed: readonly string[] = PERMISSIONS.hosting;
  if (user === undefined || user.disabled_at !== null || !allowed.includes(user.role)) return undefined;
  return { userId: user.id, tenantId: row.tenant_id, role: user.role, customerId: null };
}

export interface FireOutcome {
  scheduleId: string;
  commandId: string | null;
  error: string;
}

/**
 * Fires every enabled schedule due in the minute holding `now` (in its site's time zone). Each fire creates its
 * command with the Idempotency-Key schedule:<id>:<minute>, so instances firing the same minute make one command.
 */
export async function fireDue(
  commandDeps: CommandDeps,
  now: number,
  onError: (error: unknown, scheduleId: string) => void,
): Promise<FireOutcome[]> {
  const minute = minuteOf(now);
  const outcomes: FireOutcome[] = [];
  for (const row of await enabledSchedules(commandDeps.db)) {
    if (!firesAt(row.cron, row.timezone, minute)) continue;
    let outcome: FireOutcome;
    const principal = await principalOf(commandDeps.db, row);
    if (principal === undefined) {
      outcome = { scheduleId: row.id, commandId: null, error: 'its last editor can no longer send commands' };
    } else {
      try {
        const created = await createCommand(commandDeps, principal, bodyOf(row), fireKey(row.id, minute), {
          scheduleId: row.id,
        });
        outcome = { scheduleId: row.id, commandId: created.command.id, error: '' };
      } catch (error) {
        // An AppError's message is meant for operators; anything else stays in the logs.
        const code = (error as { code?: unknown }).code;
        if (!(error instanceof AppError)) onError(error, row.id);
        const error_ =
          error instanceof AppError
            ? `${String(code)}: ${error.message}`
            : 'the command could not be created';
        outcome = { scheduleId: row.id, commandId: null, error: error_ };
      }
    }
    await recordFire(commandDeps.db, row.id, { at: now, commandId: outcome.commandId, error: outcome.error });
    outcomes.push(outcome);
  }
  return outcomes;
}
