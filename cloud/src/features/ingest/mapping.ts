import { bytesToIp, bytesToMac, hashinsight } from '@hashinsight/protocol';
import type { MinerDetail } from '../../db/index.js';
import { type IpProtector, NO_IP, type StoredIp } from '../miners/index.js';
import type { SampleRow } from '../telemetry/index.js';

// Decoded proto messages to rows. The codec has validated the required fields; optional ones get defaults here.

type MinerSample = hashinsight.v1.MinerSample.$Properties;
type MinerIdentity = hashinsight.v1.MinerIdentity.$Properties;

const { MinerStatus, MinerVendor, PoolStatus } = hashinsight.v1;

const STATUS_NAMES: Record<number, string> = {
  [MinerStatus.MINER_STATUS_OK]: 'ok',
  [MinerStatus.MINER_STATUS_DEGRADED]: 'degraded',
  [MinerStatus.MINER_STATUS_OFFLINE]: 'offline',
  [MinerStatus.MINER_STATUS_UNREACHABLE]: 'unreachable',
  [MinerStatus.MINER_STATUS_AUTH_FAILED]: 'auth_failed',
  [MinerStatus.MINER_STATUS_SLEEPING]: 'sleeping',
};

const VENDOR_NAMES: Record<number, string> = {
  [MinerVendor.MINER_VENDOR_BITMAIN]: 'bitmain',
  [MinerVendor.MINER_VENDOR_MICROBT]: 'microbt',
  [MinerVendor.MINER_VENDOR_CANAAN]: 'canaan',
  [MinerVendor.MINER_VENDOR_OTHER]: 'other',
};

const POOL_STATUS_NAMES: Record<number, MinerDetail['pools'][number]['status']> = {
  [PoolStatus.POOL_STATUS_ALIVE]: 'alive',
  [PoolStatus.POOL_STATUS_DEAD]: 'dead',
  [PoolStatus.POOL_STATUS_DISABLED]: 'disabled',
};

/** Unspecified and values from a newer contract read as 'unknown'. */
export const statusName = (status: number | null | undefined): string =>
  STATUS_NAMES[status ?? 0] ?? 'unknown';
export const vendorName = (vendor: number | null | undefined): string =>
  VENDOR_NAMES[vendor ?? 0] ?? 'unknown';

/** A sample's identity as it arrived; `ip` in clear, which only protectIdentity() may turn into columns. */
export interface IdentityFields {
  ip: string;
  mac: string;
  serial: string;
  vendor: string;
  model: string;
  firmware: string;
  hostname: string;
  driver: string;
  /** JSON array of capability names. */
  capabilities: string;
}

/** What the writers store of an identity: the address sealed and blind-indexed, never in clear. */
export type StoredIdentity = Omit<IdentityFields, 'ip'> & StoredIp;

// Agent-chosen text bounded before it is stored: driver ids and capability names are short tokens.
const TOKEN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const MAX_CAPABILITIES = 32;

function capabilitiesJson(names: readonly string[] | null | undefined): string {
  const kept = new Set<string>();
  for (const name of names ?? []) {
    if (kept.size === MAX_CAPABILITIES) break;
    if (TOKEN.test(name)) kept.add(name);
  }
  return JSON.stringify([...kept]);
}

export function identityFields(identity: MinerIdentity): IdentityFields {
  const driver = identity.driver ?? '';
  return {
    ip: bytesToIp(identity.ip ?? new Uint8Array()),
    mac: bytesToMac(identity.mac ?? new Uint8Array()),
    serial: identity.serial ?? '',
    vendor: vendorName(identity.vendor),
    model: identity.model ?? '',
    firmware: identity.firmware ?? '',
    hostname: identity.hostname ?? '',
    driver: TOKEN.test(driver) ? driver : '',
    capabilities: capabilitiesJson(identity.capabilities),
  };
}

/**
 * The identity's columns for miner (agentId, minerId): the address sealed by the tenant's `protect`, or dropped
 * when there is none (an agent without a tenant: nobody may read its miners, and no key exists).
 */
export function protectIdentity(
  identity: IdentityFields,
  agentId: string,
  minerId: string,
  protect: IpProtector | undefined,
): StoredIdentity {
  const { ip, ...rest } = identity;
  return { ...rest, ...(protect === undefined ? NO_IP : protect(agentId, minerId, ip)) };
}

/** The stored columns of a new miner whose identity has not arrived yet. */
export const NO_IDENTITY: StoredIdentity = {
  mac: '',
  serial: '',
  vendor: 'unknown',
  model: '',
  firmware: '',
  hostname: '',
  driver: '',
  capabilities: '[]',
  ...NO_IP,
};

/** Identity columns in the order the writers bind them. */
export const IDENTITY_COLUMNS = [
  'mac',
  'serial',
  'vendor',
  'model',
  'firmware',
  'hostname',
  'driver',
  'capabilities',
  'ip_enc',
  'ip_index',
  'ip_net_index',
  'ip_host',
] as const satisfies readonly (keyof StoredIdentity)[];

/** Picks fields one by one so nothing the contract may add later is stored unseen. */
export function sampleDetail(sample: MinerSample): MinerDetail {
  return {
    boards: (sample.boards ?? []).map((board) => ({
      index: board.index ?? 0,
      hashrateMhs: board.hashrateMhs ?? 0,
      boardTempDc: board.boardTempDc ?? null,
      chipTempDc: board.chipTempDc ?? null,
      inletTempDc: board.inletTempDc ?? null,
      outletTempDc: board.outletTempDc ?? null,
      chips: board.chips ?? 0,
      chipsExpected: board.chipsExpected ?? 0,
      serial: board.serial ?? '',
    })),
    fansRpm: [...(sample.fanRpm ?? [])],
    pools: (sample.pools ?? []).map((pool) => ({
      url: pool.url ?? '',
      user: pool.user ?? '',
      status: POOL_STATUS_NAMES[pool.status ?? 0] ?? 'unknown',
      active: pool.active ?? false,
      priority: pool.priority ?? 0,
      accepted: pool.accepted ?? 0,
      rejected: pool.rejected ?? 0,
      stale: pool.stale ?? 0,
    })),
    errors: (sample.errors ?? []).map((error) => ({ code: error.code ?? '', message: error.message ?? '' })),
  };
}

const maxOf = (values: (number | null | undefined)[]): number | null => {
  let max: number | null = null;
  for (const value of values) if (value != null && (max === null || value > max)) max = value;
  return max;
};

/** The raw history row of one sample: the figures charts and rollups need, not the whole detail. */
export function sampleRow(agentId: string, sample: MinerSample): SampleRow {
  const boards = sample.boards ?? [];
  const fans = sample.fanRpm ?? [];
  let accepted = 0;
  let rejected = 0;
  for (const pool of sample.pools ?? []) {
    accepted += pool.accepted ?? 0;
    rejected += pool.rejected ?? 0;
  }
  return {
    agent_id: agentId,
    miner_id: sample.minerId ?? '',
    time_ms: sample.timeMs ?? 0,
    status: statusName(sample.status),
    hashrate_mhs: sample.hashrateMhs ?? 0,
    hashrate_avg_mhs: sample.hashrateAvgMhs ?? 0,
    hashrate_expected_mhs: sample.hashrateExpectedMhs ?? 0,
    power_w: sample.powerW ?? null,
    chip_temp_max_dc: maxOf(boards.map((board) => board.chipTempDc)),
    board_temp_max_dc: maxOf(boards.map((board) => board.boardTempDc)),
    fan_min_rpm: fans.length > 0 ? Math.min(...fans) : null,
    fan_max_rpm: fans.length > 0 ? Math.max(...fans) : null,
    accepted,
    rejected,
  };
}
