import { query } from '../api';

/**
 * The miner table's state as it lives in the address bar (so links, reload and back work), and the API calls it
 * makes. Pure: tested in Node.
 */

export const MINER_SORTS = ['ip', 'hashrate', 'temperature', 'lastSeen', 'model'] as const;
export type MinerSort = (typeof MINER_SORTS)[number];
export type SortOrder = 'asc' | 'desc';

/** The statuses GET /api/miners filters by (cloud features/miners/scope.ts). */
export const MINER_STATUSES = [
  'ok',
  'degraded',
  'offline',
  'unreachable',
  'auth_failed',
  'sleeping',
  'unknown',
  'stale',
] as const;
export type MinerStatus = (typeof MINER_STATUSES)[number];

export interface MinerListState {
  sort: MinerSort;
  order: SortOrder;
  status?: MinerStatus;
  model?: string;
  q?: string;
}

/** The cloud's limits on the filters (features/miners/schemas.ts): longer text would only earn a 400. */
export const MAX_FILTER_LENGTH = 100;

const oneOf = <T extends string>(values: readonly T[], value: string | null): T | undefined =>
  values.includes(value as T) ? (value as T) : undefined;

/** A filter text the cloud accepts: trimmed, no NUL, at most 100 characters; empty means none. */
export function cleanText(value: string | null | undefined): string | undefined {
  const text = (value ?? '').replaceAll('\u0000', '').trim().slice(0, MAX_FILTER_LENGTH);
  return text === '' ? undefined : text;
}

/** Reads the state from a query string; anything unknown or malformed falls back to the default. */
export function readListState(search: URLSearchParams): MinerListState {
  const status = oneOf(MINER_STATUSES, search.get('status'));
  const model = cleanText(search.get('model'));
  const q = cleanText(search.get('q'));
  return {
    sort: oneOf(MINER_SORTS, search.get('sort')) ?? 'ip',
    order: search.get('order') === 'desc' ? 'desc' : 'asc',
    ...(status === undefined ? {} : { status }),
    ...(model === undefined ? {} : { model }),
    ...(q === undefined ? {} : { q }),
  };
}

/** The query parameters for setQuery: defaults are left out so the plain /miners stays plain. */
export function listStateToQuery(state: MinerListState): Record<string, string | undefined> {
  return {
    sort: state.sort === 'ip' ? undefined : state.sort,
    order: state.order === 'asc' ? undefined : state.order,
    status: state.status,
    model: state.model,
    q: state.q,
  };
}

/** Sorting by a column: the same column flips the order, another starts where the interesting rows are. */
export function nextSort(state: MinerListState, column: MinerSort): Pick<MinerListState, 'sort' | 'order'> {
  if (state.sort === column) return { sort: column, order: state.order === 'asc' ? 'desc' : 'asc' };
  // Highest hashrate, hottest and most recently seen first; addresses and models in reading order.
  const descending = column === 'hashrate' || column === 'temperature' || column === 'lastSeen';
  return { sort: column, order: descending ? 'desc' : 'asc' };
}

export interface Scope {
  siteId?: string;
  customerId?: string;
}

/** The fleet filters of the list, as GET /api/miners and a command's `filter` target name them. */
export function fleetFilter(state: MinerListState, scope: Scope): Record<string, string> {
  const filter: Record<string, string> = {};
  if (scope.siteId) filter.siteId = scope.siteId;
  if (scope.customerId) filter.customerId = scope.customerId;
  if (state.status) filter.status = state.status;
  if (state.model) filter.model = state.model;
  if (state.q) filter.q = state.q;
  return filter;
}

/** One page of GET /api/miners for the state, scope and cursor. */
export function minersPath(
  state: MinerListState,
  scope: Scope,
  page: { limit: number; cursor?: string | null },
): string {
  return `/api/miners${query({
    ...fleetFilter(state, scope),
    sort: state.sort,
    order: state.order,
    limit: page.limit,
    cursor: page.cursor,
  })}`;
}

export interface MinerKey {
  agentId: string;
  minerId: string;
}

/** A miner's key in selections and row keys; ids may hold any character, so it is JSON, not a join. */
export const minerKey = (miner: MinerKey): string => JSON.stringify([miner.agentId, miner.minerId]);

/**
 * A live refresh re-reads the first rows of the list (not all that were loaded: that could be thousands); they
 * replace as many loaded rows, the rows beyond stay (the next scroll continues from there) minus any that the fresh
 * rows now hold, so no miner is listed twice.
 */
export function mergeRefreshed<T>(loaded: readonly T[], fresh: readonly T[], key: (row: T) => string): T[] {
  const seen = new Set(fresh.map(key));
  return [...fresh, ...loaded.slice(fresh.length).filter((row) => !seen.has(key(row)))];
}
