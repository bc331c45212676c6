import type { Db } from '../../db/index.js';
import type { SiteTable } from '../../db/schema.js';

// Every query names the tenant: a site id alone never reaches a row of another tenant.

function withCounts(db: Db, tenantId: string) {
  return db
    .selectFrom('site')
    .where('site.tenant_id', '=', tenantId)
    .select((eb) => [
      'site.id',
      'site.name',
      'site.location',
      'site.timezone',
      'site.created_at',
      eb
        .selectFrom('agent')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('agent.site_id', '=', 'site.id')
        .where('agent.tenant_id', '=', tenantId)
        .as('agent_count'),
      eb
        .selectFrom('miner')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('miner.site_id', '=', 'site.id')
        .where('miner.tenant_id', '=', tenantId)
        .as('miner_count'),
    ]);
}

export type SiteRow = NonNullable<Awaited<ReturnType<ReturnType<typeof withCounts>['executeTakeFirst']>>>;

export function listSites(db: Db, tenantId: string): Promise<SiteRow[]> {
  return withCounts(db, tenantId).orderBy('site.name').orderBy('site.id').execute();
}

export function findSite(db: Db, tenantId: string, id: string): Promise<SiteRow | undefined> {
  return withCounts(db, tenantId).where('site.id', '=', id).executeTakeFirst();
}

export async function insertSite(db: Db, site: SiteTable): Promise<void> {
  await db.insertInto('site').values(site).execute();
}

/** Returns whether a site of this tenant was updated. */
export async function updateSite(
  db: Db,
  tenantId: string,
  id: string,
  changes: Partial<Pick<SiteTable, 'name' | 'location' | 'timezone'>>,
): Promise<boolean> {
  const result = await db
    .updateTable('site')
    .set(changes)
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** How many agents and miners of the tenant still point at the site. */
export async function siteReferences(db: Db, tenantId: string, id: string): Promise<number> {
  const [agents, miners] = await Promise.all([
    db
      .selectFrom('agent')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('tenant_id', '=', tenantId)
      .where('site_id', '=', id)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('miner')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('tenant_id', '=', tenantId)
      .where('site_id', '=', id)
      .executeTakeFirstOrThrow(),
  ]);
  return Number(agents.n) + Number(miners.n);
}

/** Returns whether a site of this tenant was deleted. */
export async function deleteSite(db: Db, tenantId: string, id: string): Promise<boolean> {
  const result = await db
    .deleteFrom('site')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}
