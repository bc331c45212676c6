import type { Db } from '../../db/index.js';
import { uuidv7 } from '../../lib/ids.js';
import type { Principal } from '../../plugins/access.js';
import { isForeignKeyViolation, isUniqueViolation } from './constraints.js';
import { siteInUse, siteNameTaken, siteNotFound, timezoneInvalid } from './errors.js';
import {
  deleteSite,
  findSite,
  insertSite,
  listSites,
  type SiteRow,
  siteReferences,
  updateSite,
} from './repository.js';
import type { SiteInput, SiteView } from './schemas.js';

export function toSiteView(row: SiteRow): SiteView {
  return {
    id: row.id,
    name: row.name,
    location: row.location,
    timezone: row.timezone,
    createdAt: new Date(Number(row.created_at)).toISOString(),
    agentCount: Number(row.agent_count ?? 0),
    minerCount: Number(row.miner_count ?? 0),
  };
}

/** Whether the runtime's time zone database knows `zone` (Intl throws a RangeError otherwise). */
function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function clean(input: SiteInput): SiteInput {
  if (input.timezone !== undefined && !isTimeZone(input.timezone)) throw timezoneInvalid();
  return {
    ...(input.name === undefined ? {} : { name: input.name.trim() }),
    ...(input.location === undefined ? {} : { location: input.location.trim() }),
    ...(input.timezone === undefined ? {} : { timezone: input.timezone }),
  };
}

async function translated<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) throw siteNameTaken();
    throw error;
  }
}

export async function getSites(db: Db, principal: Principal): Promise<SiteView[]> {
  return (await listSites(db, principal.tenantId)).map(toSiteView);
}

export async function getSite(db: Db, principal: Principal, id: string): Promise<SiteView> {
  const row = await findSite(db, principal.tenantId, id);
  if (row === undefined) throw siteNotFound();
  return toSiteView(row);
}

export async function createSite(
  db: Db,
  principal: Principal,
  input: SiteInput & { name: string },
  nowMs: number,
): Promise<SiteView> {
  const fields = clean(input);
  const id = uuidv7(nowMs);
  await translated(() =>
    insertSite(db, {
      id,
      tenant_id: principal.tenantId,
      name: fields.name ?? input.name,
      location: fields.location ?? '',
      timezone: fields.timezone ?? 'UTC',
      created_at: nowMs,
    }),
  );
  return getSite(db, principal, id);
}

export async function changeSite(
  db: Db,
  principal: Principal,
  id: string,
  input: SiteInput,
): Promise<SiteView> {
  const updated = await translated(() => updateSite(db, principal.tenantId, id, clean(input)));
  if (!updated) throw siteNotFound();
  return getSite(db, principal, id);
}

/** Refused while agents or miners (or another feature's rows, by foreign key) still reference the site. */
export async function removeSite(db: Db, principal: Principal, id: string): Promise<void> {
  if ((await findSite(db, principal.tenantId, id)) === undefined) throw siteNotFound();
  if ((await siteReferences(db, principal.tenantId, id)) > 0) throw siteInUse();
  try {
    if (!(await deleteSite(db, principal.tenantId, id))) throw siteNotFound();
  } catch (error) {
    if (isForeignKeyViolation(error)) throw siteInUse();
    throw error;
  }
}
