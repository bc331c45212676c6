import { sql } from 'kysely';
import { type Db, dialectOf } from '../../db/index.js';
import type { MinerRollupTable, MinerSampleTable } from '../../db/schema.js';

// Pure Kysely, `db` (or a transaction) first. Every write here is an idempotent upsert or a bounded delete, so
// two cloud instances running the same job at once do the same work twice and reach the same rows.

export type SampleRow = MinerSampleTable;
export type Resolution = MinerRollupTable['resolution'];

/** Width of each rollup bucket; buckets are aligned to the Unix epoch, so days are UTC days. */
export const BUCKET_MS: Record<Resolution, number> = { '5m': 300_000, '1h': 3_600_000, '1d': 86_400_000 };

// 14 columns: 2,000 rows stay under SQLite's 32,766 bound parameters (PostgreSQL allows 65,535).
const ROWS_PER_INSERT = 2000;

/**
 * Multi-row inserts; a sample already stored (same agent, miner and poll time) is left as it is. On PostgreSQL
 * one statement of column arrays (unnest), whose text is the same for any number of rows.
 */
export async function insertSamples(db: Db, rows: readonly SampleRow[]): Promise<void> {
  if (rows.length === 0) return;
  if (dialectOf(db) === 'postgres') {
    const column = <K extends keyof SampleRow>(name: K) => rows.map((row) => row[name]);
    await sql`insert into miner_sample (agent_id, miner_id, time_ms, status, hashrate_mhs, hashrate_avg_mhs,
        hashrate_expected_mhs, power_w, chip_temp_max_dc, board_temp_max_dc, fan_min_rpm, fan_max_rpm, accepted,
        rejected)
      select * from unnest(${column('agent_id')}::text[], ${column('miner_id')}::text[],
        ${column('time_ms')}::bigint[], ${column('status')}::text[], ${column('hashrate_mhs')}::bigint[],
        ${column('hashrate_avg_mhs')}::bigint[], ${column('hashrate_expected_mhs')}::bigint[],
        ${column('power_w')}::integer[], ${column('chip_temp_max_dc')}::integer[],
        ${column('board_temp_max_dc')}::integer[], ${column('fan_min_rpm')}::integer[],
        ${column('fan_max_rpm')}::integer[], ${column('accepted')}::bigint[], ${column('rejected')}::bigint[])
      on conflict (agent_id, miner_id, time_ms) do nothing`.execute(db);
    return;
  }
  for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
    await db
      .insertInto('miner_sample')
      .values(rows.slice(start, start + ROWS_PER_INSERT))
      .onConflict((oc) => oc.columns(['agent_id', 'miner_id', 'time_ms']).doNothing())
      .execute();
  }
}

/** Marks hours for recomputation; a new mark of a marked hour bumps its version. */
export async function markDirtyHours(db: Db, hours: readonly number[]): Promise<void> {
  if (hours.length === 0) return;
  await db
    .insertInto('telemetry_rollup_dirty')
    .values(hours.map((hour_ms) => ({ hour_ms, version: 1 })))
    .onConflict((oc) =>
      oc.column('hour_ms').doUpdateSet((eb) => ({ version: eb('telemetry_rollup_dirty.version', '+', 1) })),
    )
    .execute();
}

export async function oldestDirtyHours(db: Db, limit: number) {
  return db
    .selectFrom('telemetry_rollup_dirty')
    .select(['hour_ms', 'version'])
    .orderBy('hour_ms')
    .limit(limit)
    .execute();
}

/** Removes the mark only if nobody re-marked the hour since it was read. */
export async function clearDirtyHour(db: Db, mark: { hour_ms: number; version: number }): Promise<void> {
  await db
    .deleteFrom('telemetry_rollup_dirty')
    .where('hour_ms', '=', mark.hour_ms)
    .where('version', '=', mark.version)
    .execute();
}

const ROLLUP_VALUES = [
  'sample_count',
  'online_count',
  'hashrate_sum_mhs',
  'hashrate_expected_sum_mhs',
  'power_sum_w',
  'power_count',
  'chip_temp_max_dc',
  'board_temp_max_dc',
] as const;

/**
 * Recomputes every 5 min bucket in [fromMs, toMs) (aligned) from the raw samples and replaces the stored ones.
 * Rows are produced in key order, so concurrent runs lock the same rows in the same order (no deadlock).
 */
export async function rollupRawInto5m(db: Db, fromMs: number, toMs: number): Promise<void> {
  const size = sql.lit(BUCKET_MS['5m']);
  const bucket = sql<number>`time_ms - (time_ms % ${size})`;
  await db
    .insertInto('miner_rollup')
    .columns(['resolution', 'agent_id', 'miner_id', 'bucket_ms', ...ROLLUP_VALUES])
    .expression((eb) =>
      eb
        .selectFrom('miner_sample')
        .select((eb) => [
          sql.lit('5m').as('resolution'),
          'agent_id',
          'miner_id',
          bucket.as('bucket'),
          eb.fn.countAll().as('sample_count'),
          sql`sum(case when status in ('ok', 'degraded') then 1 else 0 end)`.as('online_count'),
          eb.fn.sum('hashrate_mhs').as('hashrate_sum_mhs'),
          eb.fn.sum('hashrate_expected_mhs').as('hashrate_expected_sum_mhs'),
          sql`coalesce(sum(power_w), 0)`.as('power_sum_w'),
          eb.fn.count('power_w').as('power_count'),
          eb.fn.max('chip_temp_max_dc').as('chip_temp_max_dc'),
          eb.fn.max('board_temp_max_dc').as('board_temp_max_dc'),
        ])
        .where('time_ms', '>=', fromMs)
        .where('time_ms', '<', toMs)
        .groupBy(['agent_id', 'miner_id', bucket])
        .orderBy('agent_id')
        .orderBy('miner_id')
        .orderBy(bucket),
    )
    .onConflict((oc) =>
      oc.columns(['resolution', 'agent_id', 'miner_id', 'bucket_ms']).doUpdateSet(replaceRollupValues),
    )
    .execute();
}

/** Recomputes the `target` buckets in [fromMs, toMs) from the finer `source` rollup, replacing stored ones. */
export async function rollupInto(
  db: Db,
  source: Resolution,
  target: Resolution,
  fromMs: number,
  toMs: number,
): Promise<void> {
  const size = sql.lit(BUCKET_MS[target]);
  const bucket = sql<number>`bucket_ms - (bucket_ms % ${size})`;
  await db
    .insertInto('miner_rollup')
    .columns(['resolution', 'agent_id', 'miner_id', 'bucket_ms', ...ROLLUP_VALUES])
    .expression((eb) =>
      eb
        .selectFrom('miner_rollup')
        .select((eb) => [
          sql.lit(target).as('resolution'),
          'agent_id',
          'miner_id',
          bucket.as('bucket'),
          eb.fn.sum('sample_count').as('sample_count'),
          eb.fn.sum('online_count').as('online_count'),
          eb.fn.sum('hashrate_sum_mhs').as('hashrate_sum_mhs'),
          eb.fn.sum('hashrate_expected_sum_mhs').as('hashrate_expected_sum_mhs'),
          eb.fn.sum('power_sum_w').as('power_sum_w'),
          eb.fn.sum('power_count').as('power_count'),
          eb.fn.max('chip_temp_max_dc').as('chip_temp_max_dc'),
          eb.fn.max('board_temp_max_dc').as('board_temp_max_dc'),
        ])
        .where('resolution', '=', source)
        .where('bucket_ms', '>=', fromMs)
        .where('bucket_ms', '<', toMs)
        .groupBy(['agent_id', 'miner_id', bucket])
        .orderBy('agent_id')
        .orderBy('miner_id')
        .orderBy(bucket),
    )
    .onConflict((oc) =>
      oc.columns(['resolution', 'agent_id', 'miner_id', 'bucket_ms']).doUpdateSet(replaceRollupValues),
    )
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: Kysely's ON CONFLICT expression builder type is internal
function replaceRollupValues(eb: any) {
  const values: Record<string, unknown> = {};
  for (const column of ROLLUP_VALUES) values[column] = eb.ref(`excluded.${column}`);
  return values;
}

/**
 * Deletes up to `limit` rows older than `cutoffMs` from raw samples or one rollup resolution; returns how many.
 * Row-value IN with a LIMITed subquery is the portable bounded delete (SQLite has no DELETE … LIMIT by default,
 * PostgreSQL none at all).
 */
export async function deleteOlderThan(
  db: Db,
  table: 'raw' | Resolution,
  cutoffMs: number,
  limit: number,
): Promise<number> {
  const query =
    table === 'raw'
      ? sql`delete from miner_sample where (agent_id, miner_id, time_ms) in (
          select agent_id, miner_id, time_ms from miner_sample where time_ms < ${cutoffMs} limit ${limit})`
      : sql`delete from miner_rollup where resolution = ${table} and (agent_id, miner_id, bucket_ms) in (
          select agent_id, miner_id, bucket_ms from miner_rollup
          where resolution = ${table} and bucket_ms < ${cutoffMs} limit ${limit})`;
  const result = await query.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}

export async function deleteDirtyBefore(db: Db, cutoffMs: number): Promise<void> {
  await db.deleteFrom('telemetry_rollup_dirty').where('hour_ms', '<', cutoffMs).execute();
}

/** The miner when it belongs to the tenant (and, for a customer, to that customer); else undefined. */
export async function findScopedMiner(
  db: Db,
  scope: { tenantId: string; customerId?: string | null | undefined },
  miner: { agentId: string; minerId: string },
) {
  let query = db
    .selectFrom('miner')
    .select(['agent_id', 'id'])
    .where('agent_id', '=', miner.agentId)
    .where('id', '=', miner.minerId)
    .where('tenant_id', '=', scope.tenantId);
  if (scope.customerId != null) query = query.where('customer_id', '=', scope.customerId);
  return query.executeTakeFirst();
}

export async function selectRawRange(
  db: Db,
  miner: { agentId: string; minerId: string },
  fromMs: number,
  toMs: number,
  limit: number,
) {
  return db
    .selectFrom('miner_sample')
    .selectAll()
    .where('agent_id', '=', miner.agentId)
    .where('miner_id', '=', miner.minerId)
    .where('time_ms', '>=', fromMs)
    .where('time_ms', '<', toMs)
    .orderBy('time_ms')
    .limit(limit)
    .execute();
}

export async function selectRollupRange(
  db: Db,
  miner: { agentId: string; minerId: string },
  resolution: Resolution,
  fromMs: number,
  toMs: number,
  limit: number,
) {
  return db
    .selectFrom('miner_rollup')
    .selectAll()
    .where('resolution', '=', resolution)
    .where('agent_id', '=', miner.agentId)
    .where('miner_id', '=', miner.minerId)
    .where('bucket_ms', '>=', fromMs)
    .where('bucket_ms', '<', toMs)
    .orderBy('bucket_ms')
    .limit(limit)
    .execute();
}

/** Per bucket over the scope's miners: summed per-miner averages (integer division per miner). */
export async function selectFleetRange(
  db: Db,
  scope: { tenantId: string; customerId?: string | null | undefined; siteId?: string | undefined },
  resolution: Resolution,
  fromMs: number,
  toMs: number,
  limit: number,
) {
  let query = db
    .selectFrom('miner_rollup as r')
    .innerJoin('miner as m', (join) =>
      join.onRef('m.agent_id', '=', 'r.agent_id').onRef('m.id', '=', 'r.miner_id'),
    )
    .select((eb) => [
      'r.bucket_ms',
      eb.fn.countAll<number>().as('miners'),
      sql<number>`sum(case when r.online_count > 0 then 1 else 0 end)`.as('online_miners'),
      sql<number>`sum(r.hashrate_sum_mhs / r.sample_count)`.as('hashrate_mhs'),
      sql<number>`sum(r.hashrate_expected_sum_mhs / r.sample_count)`.as('hashrate_expected_mhs'),
      sql<number>`sum(case when r.power_count > 0 then r.power_sum_w / r.power_count else 0 end)`.as(
        'power_w',
      ),
    ])
    .where('r.resolution', '=', resolution)
    .where('r.bucket_ms', '>=', fromMs)
    .where('r.bucket_ms', '<', toMs)
    .where('m.tenant_id', '=', scope.tenantId);
  if (scope.customerId != null) query = query.where('m.customer_id', '=', scope.customerId);
  if (scope.siteId !== undefined) query = query.where('m.site_id', '=', scope.siteId);
  return query.groupBy('r.bucket_ms').orderBy('r.bucket_ms').limit(limit).execute();
}

export interface StatusChangeRow {
  agent_id: string;
  miner_id: string;
  time_ms: number;
  status: string;
  previous: string;
}

/** Whose miners' status changes to read: a tenant's, narrowed to one customer's and/or to one miner. */
export interface StatusChangeScope {
  tenantId: string;
  customerId?: string | null | undefined;
  miner?: { agentId: string; minerId: string } | undefined;
}

/**
 * Status changes in [fromMs, toMs), newest first: a raw sample whose status differs from the miner's previous
 * sample (looked for from `lookbackMs` before the range), after `before` (time, agent, miner), `limit` + 1 rows.
 */
export async function selectStatusChanges(
  db: Db,
  scope: StatusChangeScope,
  fromMs: number,
  toMs: number,
  lookbackMs: number,
  before: readonly [number, string, string] | undefined,
  limit: number,
): Promise<StatusChangeRow[]> {
  const customer = scope.customerId == null ? sql`` : sql`and m.customer_id = ${scope.customerId}`;
  const miner =
    scope.miner === undefined
      ? sql``
      : sql`and s.agent_id = ${scope.miner.agentId} and s.miner_id = ${scope.miner.minerId}`;
  const position =
    before === undefined
      ? sql``
      : sql`and (x.time_ms, x.agent_id, x.miner_id) < (${before[0]}, ${before[1]}, ${before[2]})`;
  const { rows } = await sql<StatusChangeRow>`
    select x.agent_id, x.miner_id, x.time_ms, x.status, x.previous from (
      select s.agent_id, s.miner_id, s.time_ms, s.status,
        lag(s.status) over (partition by s.agent_id, s.miner_id order by s.time_ms) as previous
      from miner_sample s
      inner join miner m on m.agent_id = s.agent_id and m.id = s.miner_id
      where m.tenant_id = ${scope.tenantId} ${customer} ${miner}
        and s.time_ms >= ${fromMs - lookbackMs} and s.time_ms < ${toMs}
    ) x
    where x.previous is not null and x.previous <> x.status and x.time_ms >= ${fromMs} ${position}
    order by x.time_ms desc, x.agent_id desc, x.miner_id desc
    limit ${limit + 1}`.execute(db);
  return rows.map((row) => ({ ...row, time_ms: Number(row.time_ms) }));
}
