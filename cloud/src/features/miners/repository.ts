import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../../db/index.js';
import type { Principal } from '../../plugins/access.js';
import type { IpLookup } from './ip.js';
import { effectiveStatus, type FleetFilters, scopedMiner, scopedMiners, temperatureDc } from './scope.js';

export const MINER_SORTS = ['ip', 'hashrate', 'temperature', 'lastSeen', 'model'] as const;
export type MinerSort = (typeof MINER_SORTS)[number];
export type SortOrder = 'asc' | 'desc';

/** A sort key's value as it travels in a cursor. */
export type KeyValue = number | string;
export type KeyType = 'number' | 'string';

interface SortKey {
  expression: RawBuilder<KeyValue>;
  type: KeyType;
}

/**
 * The keys a sort orders by, every one non-null (absent values get a sentinel) so that keyset comparisons are
 * plain `<`/`>`; the agent and miner id end every sort, which makes the order total and the pages stable.
 */
export function sortKeys(sort: MinerSort): SortKey[] {
  const number = (expression: RawBuilder<unknown>): SortKey => ({
    expression: expression as RawBuilder<KeyValue>,
    type: 'number',
  });
  const text = (expression: RawBuilder<unknown>): SortKey => ({
    expression: expression as RawBuilder<KeyValue>,
    type: 'string',
  });
  const leading: Record<MinerSort, () => SortKey[]> = {
    // Addresses are encrypted (ip.ts): per site, the miners of a subnet together (subnets in blind-index order,
    // no address first) and in host order within it; migration 0014's index has these keys.
    ip: () => [text(sql`miner.site_key`), text(sql`miner.ip_net_index`), number(sql`miner.ip_host`)],
    // -1: no sample yet, below every real value.
    hashrate: () => [number(sql`coalesce(miner_latest.hashrate_mhs, -1)`)],
    temperature: () => [number(sql`coalesce(${temperatureDc()}, -100000)`)],
    lastSeen: () => [number(sql`miner.last_seen_at`)],
    model: () => [text(sql`miner.model`)],
  };
  return [...leading[sort](), text(sql`miner.agent_id`), text(sql`miner.id`)];
}

/**
 * `keys` strictly after `values` in `order`, as one row-value comparison `(k0, k1, …) > (v0, v1, …)`: both
 * databases turn it into a range of an index whose columns are those keys (an OR of ANDs, its equivalent, made
 * PostgreSQL sort the whole fleet for every page after the first).
 */
function after(keys: SortKey[], values: readonly KeyValue[], order: SortOrder): RawBuilder<boolean> {
  const op = order === 'asc' ? sql.raw('>') : sql.raw('<');
  return sql<boolean>`((${sql.join(keys.map((key) => key.expression))}) ${op} (${sql.join([...values])}))`;
}

/** What a list row shows: the miner and its latest figures, not the sample's detail JSON (boards, pools…). */
const LIST_COLUMNS = [
  'miner.id',
  'miner.agent_id',
  'miner.site_id',
  'miner.customer_id',
  'miner.ip_enc',
  'miner.mac',
  'miner.serial',
  'miner.vendor',
  'miner.model',
  'miner.firmware',
  'miner.hostname',
  'miner.first_seen_at',
  'miner.last_seen_at',
  'miner_latest.time_ms',
  'miner_latest.hashrate_mhs',
  'miner_latest.hashrate_avg_mhs',
  'miner_latest.hashrate_expected_mhs',
  'miner_latest.power_w',
  'miner_latest.uptime_s',
  'miner_latest.poll_error',
  'miner_latest.temp_max_dc',
] as const;

const DETAIL_COLUMNS = [...LIST_COLUMNS, 'miner_latest.detail'] as const;

export interface PageRequest {
  sort: MinerSort;
  order: SortOrder;
  /** The sort keys of the last row of the previous page. */
  after: readonly KeyValue[] | undefined;
  limit: number;
}

/** One page of the caller's miners with their sort keys (k0…kn), `limit + 1` rows to tell if more follow. */
export async function selectMinerPage(
  db: Db,
  principal: Principal,
  filters: FleetFilters,
  page: PageRequest,
  staleBefore: number,
  ipLookup?: IpLookup,
) {
  const keys = sortKeys(page.sort);
  let query = scopedMiners(db, principal, filters, staleBefore, ipLookup)
    .select(LIST_COLUMNS)
    .select(effectiveStatus(staleBefore).as('status'))
    .select(keys.map((key, i) => key.expression.as(`k${i}`)));
  if (page.after !== undefined) query = query.where(after(keys, page.after, page.order));
  for (const key of keys) query = query.orderBy(key.expression, page.order);
  const rows = await query.limit(page.limit + 1).execute();
  return rows.map((row) => {
    const record = row as unknown as Record<string, unknown>;
    return { row, keys: keys.map((_, i) => record[`k${i}`] as KeyValue) };
  });
}

/** One miner of the caller's scope with its latest sample; undefined when missing or out of scope. */
export function selectMiner(
  db: Db,
  principal: Principal,
  agentId: string,
  minerId: string,
  staleBefore: number,
) {
  return scopedMiner(db, principal, agentId, minerId, staleBefore)
    .select(DETAIL_COLUMNS)
    .select(effectiveStatus(staleBefore).as('status'))
    .executeTakeFirst();
}

export type MinerRow = NonNullable<Awaited<ReturnType<typeof selectMiner>>>;
export type MinerListRow = Awaited<ReturnType<typeof selectMinerPage>>[number]['row'];

/**
 * Sets the customer of every listed miner of the tenant, or of none: returns false (and changes nothing) when
 * any of them is not the tenant's. The caller runs it in a transaction.
 */
export async function assignCustomer(
  db: Db,
  tenantId: string,
  miners: readonly { agentId: string; minerId: string }[],
  customerId: string | null,
): Promise<boolean> {
  const found = await db
    .selectFrom('miner')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where((eb) =>
      eb.or(miners.map((m) => eb.and([eb('agent_id', '=', m.agentId), eb('id', '=', m.minerId)]))),
    )
    .executeTakeFirstOrThrow();
  if (Number(found.n) !== miners.length) return false;
  await db
    .updateTable('miner')
    .set({ customer_id: customerId })
    .where('tenant_id', '=', tenantId)
    .where((eb) =>
      eb.or(miners.map((m) => eb.and([eb('agent_id', '=', m.agentId), eb('id', '=', m.minerId)]))),
    )
    .execute();
  return true;
}

/** Names of the tenant's sites among `ids` (the fleet summary and command previews name the sites of miners). */
export async function selectSiteNames(db: Db, tenantId: string, ids: readonly string[]) {
  if (ids.length === 0) return new Map<string, string>();
  const rows = await db
    .selectFrom('site')
    .select(['id', 'name'])
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', ids)
    .execute();
  return new Map(rows.map((row) => [row.id, row.name]));
}
