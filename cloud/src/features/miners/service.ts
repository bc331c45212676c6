import type { Db, MinerDetail } from '../../db/index.js';
import { AppError } from '../../http/errors.js';
import type { Principal } from '../../plugins/access.js';
import { customerExists, customerNotFound } from '../customers/index.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { type IpCipher, ipLookupOf, revealIp } from './ip.js';
import {
  assignCustomer,
  type MinerListRow,
  type MinerRow,
  type MinerSort,
  type SortOrder,
  selectMiner,
  selectMinerPage,
  sortKeys,
} from './repository.js';
import type { FleetFilters } from './scope.js';

/** A list row: the miner and its latest figures. */
export interface MinerListItem {
  id: string;
  agentId: string;
  siteId: string | null;
  customerId: string | null;
  /** Decrypted for staff; always '' for customers (ip.ts). */
  ip: string;
  mac: string;
  serial: string;
  vendor: string;
  model: string;
  firmware: string;
  hostname: string;
  /** 'unknown' until a sample arrives. */
  status: string;
  hashrateMhs: number | null;
  /** hashrateMhs in TH/s, rounded to 3 decimals. */
  hashrateThs: number | null;
  hashrateAvgMhs: number | null;
  hashrateExpectedMhs: number | null;
  powerW: number | null;
  uptimeS: number | null;
  /** Hottest board of the latest sample (chip temperature, else board temperature), °C. */
  temperatureC: number | null;
  /** ISO 8601 time of the latest sample. */
  lastSampleAt: string | null;
  firstSeenAt: string;
  lastSeenAt: string;
  pollError: string;
}

/** The detail: a list row plus the latest sample's boards, fans, pools and errors. */
export interface MinerView extends MinerListItem {
  boards: {
    index: number;
    hashrateMhs: number;
    boardTempC: number | null;
    chipTempC: number | null;
    inletTempC: number | null;
    outletTempC: number | null;
    chips: number;
    chipsExpected: number;
    serial: string;
  }[];
  fansRpm: number[];
  pools: MinerDetail['pools'];
  errors: MinerDetail['errors'];
}

const EMPTY_DETAIL: MinerDetail = { boards: [], fansRpm: [], pools: [], errors: [] };

const celsius = (tenths: number | null): number | null => (tenths === null ? null : tenths / 10);
const terahash = (mhs: number): number => Math.round(mhs / 1000) / 1000;
const iso = (ms: number): string => new Date(Number(ms)).toISOString();

/**
 * A row as the API shows it; `cipher` is the tenant's for staff callers, undefined for customers, who never get
 * an address.
 */
export function toMinerListItem(row: MinerListRow, cipher: IpCipher | undefined): MinerListItem {
  return {
    id: row.id,
    agentId: row.agent_id,
    siteId: row.site_id,
    customerId: row.customer_id,
    ip: cipher === undefined ? '' : revealIp(cipher, row.agent_id, row.id, row.ip_enc),
    mac: row.mac,
    serial: row.serial,
    vendor: row.vendor,
    model: row.model,
    firmware: row.firmware,
    hostname: row.hostname,
    status: row.status ?? 'unknown',
    hashrateMhs: row.hashrate_mhs,
    hashrateThs: row.hashrate_mhs === null ? null : terahash(row.hashrate_mhs),
    hashrateAvgMhs: row.hashrate_avg_mhs,
    hashrateExpectedMhs: row.hashrate_expected_mhs,
    powerW: row.power_w,
    uptimeS: row.uptime_s,
    temperatureC: celsius(row.temp_max_dc),
    lastSampleAt: row.time_ms === null ? null : iso(row.time_ms),
    firstSeenAt: iso(row.first_seen_at),
    lastSeenAt: iso(row.last_seen_at),
    pollError: row.poll_error ?? '',
  };
}

export function toMinerView(row: MinerRow, cipher: IpCipher | undefined): MinerView {
  const detail: MinerDetail = row.detail === null ? EMPTY_DETAIL : JSON.parse(row.detail);
  return {
    ...toMinerListItem(row, cipher),
    boards: detail.boards.map((board) => ({
      index: board.index,
      hashrateMhs: board.hashrateMhs,
      boardTempC: celsius(board.boardTempDc),
      chipTempC: celsius(board.chipTempDc),
      inletTempC: celsius(board.inletTempDc),
      outletTempC: celsius(board.outletTempDc),
      chips: board.chips,
      chipsExpected: board.chipsExpected,
      serial: board.serial,
    })),
    fansRpm: detail.fansRpm,
    pools: detail.pools,
    errors: detail.errors,
  };
}

export const minerNotFound = () => new AppError('MINERS_NOT_FOUND', 404, 'Miner not found');

export interface ListRequest {
  filters: FleetFilters;
  sort: MinerSort;
  order: SortOrder;
  limit: number;
  cursor?: string | undefined;
  /** Miners whose latest sample is older than this (ms) read as stale. */
  staleBefore: number;
}

export interface MinerPage {
  miners: MinerListItem[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/**
 * One page of the caller's fleet in a total order (the sort, then agent id, then miner id). `cipher`: the
 * tenant's IP cipher for staff (addresses shown, `q` finds addresses), undefined for customers.
 */
export async function listMiners(
  db: Db,
  principal: Principal,
  request: ListRequest,
  cipher: IpCipher | undefined,
): Promise<MinerPage> {
  const { filters, sort, order, limit } = request;
  const types = sortKeys(sort).map((key) => key.type);
  const after =
    request.cursor === undefined ? undefined : decodeCursor(request.cursor, sort, order, filters, types);
  const rows = await selectMinerPage(
    db,
    principal,
    filters,
    { sort, order, after, limit },
    request.staleBefore,
    cipher === undefined || filters.q === undefined ? undefined : ipLookupOf(cipher, filters.q),
  );
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    miners: page.map(({ row }) => toMinerListItem(row, cipher)),
    nextCursor:
      rows.length > limit && last !== undefined ? encodeCursor(sort, order, filters, last.keys) : null,
  };
}

/** One miner of the caller's scope; 404 when missing, another tenant's or (for a customer) not theirs. */
export async function getMiner(
  db: Db,
  principal: Principal,
  agentId: string,
  minerId: string,
  staleBefore: number,
  cipher: IpCipher | undefined,
): Promise<MinerView> {
  const row = await selectMiner(db, principal, agentId, minerId, staleBefore);
  if (row === undefined) throw minerNotFound();
  return toMinerView(row, cipher);
}

export interface MinerKey {
  agentId: string;
  minerId: string;
}

/**
 * Assigns the miners to a customer of the tenant (null unassigns), all or none: a customer or any miner that is
 * missing or another tenant's gives the same 404 as a missing one and changes nothing.
 */
export async function assignMiners(
  db: Db,
  principal: Principal,
  miners: readonly MinerKey[],
  customerId: string | null,
): Promise<number> {
  const unique = [...new Map(miners.map((m) => [JSON.stringify([m.agentId, m.minerId]), m])).values()];
  return db.transaction().execute(async (trx) => {
    if (customerId !== null && !(await customerExists(trx, principal.tenantId, customerId))) {
      throw customerNotFound();
    }
    if (!(await assignCustomer(trx, principal.tenantId, unique, customerId))) throw minerNotFound();
    return unique.length;
  });
}
