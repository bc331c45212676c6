import { sql } from 'kysely';
import type { Db } from '../../db/index.js';
import type { Principal } from '../../plugins/access.js';
import {
  effectiveStatus,
  type FleetFilters,
  type IpLookup,
  ONLINE_STATUSES,
  scopedMiners,
  temperatureDc,
} from '../miners/index.js';

/** Per-site sums over the caller's miners; one pass, the temperature expression evaluated once per miner. */
export async function selectSiteTotals(
  db: Db,
  principal: Principal,
  filters: FleetFilters,
  staleBefore: number,
  ipLookup?: IpLookup,
) {
  const online = sql.join(ONLINE_STATUSES.map((status) => sql.lit(status)));
  const status = effectiveStatus(staleBefore);
  // A stale miner counts as neither online nor offline, and adds nothing to the online sums.
  const perMiner = scopedMiners(db, principal, filters, staleBefore, ipLookup)
    .select([
      'miner.site_id',
      status.as('status'),
      'miner_latest.hashrate_mhs',
      'miner_latest.hashrate_expected_mhs',
      'miner_latest.power_w',
      sql<number>`case when ${status} in (${online}) then 1 else 0 end`.as('online'),
      temperatureDc().as('temp_dc'),
    ])
    .as('m');
  return db
    .selectFrom(perMiner)
    .select((eb) => [
      'm.site_id',
      eb.fn.countAll<number>().as('total'),
      sql<number>`sum(m.online)`.as('online'),
      sql<number>`sum(case when m.status = 'unknown' then 1 else 0 end)`.as('unknown'),
      sql<number>`sum(case when m.status = 'stale' then 1 else 0 end)`.as('stale'),
      sql<number>`sum(case when m.online = 1 then m.hashrate_mhs else 0 end)`.as('hashrate_mhs'),
      sql<number>`sum(coalesce(m.hashrate_expected_mhs, 0))`.as('expected_mhs'),
      sql<number>`sum(case when m.online = 1 then coalesce(m.power_w, 0) else 0 end)`.as('power_w'),
      // Efficiency counts only miners that report both power and a hashrate.
      sql<number>`sum(case when m.online = 1 and m.power_w is not null and m.hashrate_mhs > 0 then m.power_w else 0 end)`.as(
        'metered_power_w',
      ),
      sql<number>`sum(case when m.online = 1 and m.power_w is not null and m.hashrate_mhs > 0 then m.hashrate_mhs else 0 end)`.as(
        'metered_mhs',
      ),
      sql<number | null>`min(case when m.online = 1 then m.temp_dc end)`.as('temp_min_dc'),
      sql<number | null>`max(case when m.online = 1 then m.temp_dc end)`.as('temp_max_dc'),
      sql<number | null>`sum(case when m.online = 1 then m.temp_dc end)`.as('temp_sum_dc'),
      sql<number>`count(case when m.online = 1 then m.temp_dc end)`.as('temp_count'),
    ])
    .groupBy('m.site_id')
    .execute();
}

export type SiteTotalsRow = Awaited<ReturnType<typeof selectSiteTotals>>[number];
