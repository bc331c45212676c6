import { sql } from 'kysely';
import type { Db } from '../../db/index.js';
import type { Principal } from '../../plugins/access.js';

/** Which miners a live calculation covers: the caller's scope narrowed by any of these. */
export interface LiveScope {
  siteId?: string | undefined;
  customerId?: string | undefined;
  agentId?: string | undefined;
  minerId?: string | undefined;
}

// A customer principal without its customer (never issued) must see nothing rather than everything.
const NO_CUSTOMER = '\u0000';

/** The caller's miners (a customer: its own), narrowed by `scope`. */
function scopedMiners(db: Db, principal: Principal, scope: LiveScope) {
  let query = db.selectFrom('miner').where('miner.tenant_id', '=', principal.tenantId);
  if (principal.role === 'customer')
    query = query.where('miner.customer_id', '=', principal.customerId ?? NO_CUSTOMER);
  if (scope.siteId !== undefined) query = query.where('miner.site_id', '=', scope.siteId);
  if (scope.customerId !== undefined) query = query.where('miner.customer_id', '=', scope.customerId);
  if (scope.agentId !== undefined) query = query.where('miner.agent_id', '=', scope.agentId);
  if (scope.minerId !== undefined) query = query.where('miner.id', '=', scope.minerId);
  return query;
}

/** Miners in scope per model, for the nameplate comparison. */
export function selectModelCounts(db: Db, principal: Principal, scope: LiveScope) {
  return scopedMiners(db, principal, scope)
    .select(['miner.model', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('miner.model')
    .execute();
}

/** Whether the site / customer named in a scope is the caller's to name (a customer may name only itself). */
export async function scopeTargetsExist(db: Db, principal: Principal, scope: LiveScope): Promise<boolean> {
  if (scope.siteId !== undefined) {
    const site = await db
      .selectFrom('site')
      .select('id')
      .where('id', '=', scope.siteId)
      .where('tenant_id', '=', principal.tenantId)
      .executeTakeFirst();
    if (site === undefined) return false;
  }
  if (scope.customerId !== undefined) {
    if (principal.role === 'customer' && scope.customerId !== principal.customerId) return false;
    const customer = await db
      .selectFrom('customer')
      .select('id')
      .where('id', '=', scope.customerId)
      .where('tenant_id', '=', principal.tenantId)
      .executeTakeFirst();
    if (customer === undefined) return false;
  }
  if (scope.agentId !== undefined || scope.minerId !== undefined) {
    const miner = await scopedMiners(db, principal, { agentId: scope.agentId, minerId: scope.minerId })
      .select('miner.id')
      .executeTakeFirst();
    if (miner === undefined) return false;
  }
  return true;
}

export interface RollupSums {
  /** Σ over miners and buckets of the bucket's mean hashrate (MH/s). */
  hashrateBucketsMhs: number;
  /** Σ over miners and buckets of the bucket's mean power (W), buckets without power readings counting 0. */
  powerBucketsW: number;
  onlineSamples: number;
  samples: number;
}

/** Sums of the rollups of the miners in scope whose buckets start in [fromMs, toMs). */
export async function selectRollupSums(
  db: Db,
  principal: Principal,
  scope: LiveScope,
  resolution: '5m' | '1h',
  fromMs: number,
  toMs: number,
): Promise<RollupSums> {
  const row = await scopedMiners(db, principal, scope)
    .innerJoin('miner_rollup as r', (join) =>
      join.onRef('r.agent_id', '=', 'miner.agent_id').onRef('r.miner_id', '=', 'miner.id'),
    )
    .where('r.resolution', '=', resolution)
    .where('r.bucket_ms', '>=', fromMs)
    .where('r.bucket_ms', '<', toMs)
    .select([
      sql<number>`coalesce(sum(r.hashrate_sum_mhs * 1.0 / r.sample_count), 0)`.as('hashrate'),
      sql<number>`coalesce(sum(case when r.power_count > 0 then r.power_sum_w * 1.0 / r.power_count else 0 end), 0)`.as(
        'power',
      ),
      sql<number>`coalesce(sum(r.online_count), 0)`.as('online'),
      sql<number>`coalesce(sum(r.sample_count), 0)`.as('samples'),
    ])
    .executeTakeFirstOrThrow();
  return {
    hashrateBucketsMhs: Number(row.hashrate),
    powerBucketsW: Number(row.power),
    onlineSamples: Number(row.online),
    samples: Number(row.samples),
  };
}
