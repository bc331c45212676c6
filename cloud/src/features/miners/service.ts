import { isIP } from 'node:net';
import { ipToBytes } from '@hashinsight/protocol';
import type { Db, MinerDetail } from '../../db/index.js';
import type { Principal } from '../../plugins/access.js';
import { listMinersWithLatest, type MinerRow } from './repository.js';

export interface MinerView {
  id: string;
  agentId: string;
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
  /** ISO 8601 time of the latest sample. */
  lastSampleAt: string | null;
  pollError: string;
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

export function toMinerView(row: MinerRow): MinerView {
  const detail: MinerDetail = row.detail === null ? EMPTY_DETAIL : JSON.parse(row.detail);
  return {
    id: row.id,
    agentId: row.agent_id,
    ip: row.ip,
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
    lastSampleAt: row.time_ms === null ? null : new Date(row.time_ms).toISOString(),
    pollError: row.poll_error ?? '',
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

/** IPv4 sorts as its IPv4-mapped IPv6 form, so both families order numerically; no IP sorts last. */
function ipKey(ip: string): string {
  if (isIP(ip) === 0) return '~';
  const bytes = ipToBytes(ip);
  const full = bytes.length === 4 ? Uint8Array.from([...new Array(10).fill(0), 0xff, 0xff, ...bytes]) : bytes;
  return Buffer.from(full).toString('hex');
}

// Code-unit order, not locale order: '~' must sort after every hex digit.
const compare = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);

/** By agent, then IP numerically, then id: a miner id and an IP are unique only within one agent's site. */
export function compareMiners(a: MinerView, b: MinerView): number {
  return compare(a.agentId, b.agentId) || compare(ipKey(a.ip), ipKey(b.ip)) || compare(a.id, b.id);
}

/** The fleet, sorted by agent, then IP numerically, then id. */
export async function listMiners(db: Db, principal: Principal): Promise<MinerView[]> {
  return (await listMinersWithLatest(db, principal)).map(toMinerView).sort(compareMiners);
}
