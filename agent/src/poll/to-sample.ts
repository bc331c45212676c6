import { driverById, type Reading } from '@hashinsight/miners';
import { hashinsight, ipToBytes, macToBytes } from '@hashinsight/protocol';
import { minerIdFor } from '../inventory/index.js';

type Sample = Omit<hashinsight.v1.IMinerSample, 'seq'>;
type Identity = hashinsight.v1.IMinerIdentity;
const { MinerStatus, MinerVendor, PoolStatus } = hashinsight.v1;

const STATUS: Record<Reading['status'], hashinsight.v1.MinerStatus> = {
  ok: MinerStatus.MINER_STATUS_OK,
  degraded: MinerStatus.MINER_STATUS_DEGRADED,
  offline: MinerStatus.MINER_STATUS_OFFLINE,
  unreachable: MinerStatus.MINER_STATUS_UNREACHABLE,
  auth_failed: MinerStatus.MINER_STATUS_AUTH_FAILED,
  sleeping: MinerStatus.MINER_STATUS_SLEEPING,
};

const VENDOR: Record<Reading['vendor'], hashinsight.v1.MinerVendor> = {
  bitmain: MinerVendor.MINER_VENDOR_BITMAIN,
  microbt: MinerVendor.MINER_VENDOR_MICROBT,
  canaan: MinerVendor.MINER_VENDOR_CANAAN,
  other: MinerVendor.MINER_VENDOR_OTHER,
  unknown: MinerVendor.MINER_VENDOR_UNSPECIFIED,
};

const POOL_STATUS: Record<Reading['pools'][number]['status'], hashinsight.v1.PoolStatus> = {
  alive: PoolStatus.POOL_STATUS_ALIVE,
  dead: PoolStatus.POOL_STATUS_DEAD,
  disabled: PoolStatus.POOL_STATUS_DISABLED,
  unknown: PoolStatus.POOL_STATUS_UNSPECIFIED,
};

/** Tenths of a degree, or absent: the proto keeps "not reported" apart from 0 °C. */
const deciCelsius = (celsius: number | undefined) =>
  celsius === undefined || !Number.isFinite(celsius) ? undefined : Math.round(celsius * 10);

/**
 * Who the miner is, with the driver that reads and commands it and what that driver can do, so the cloud checks
 * commands against the miner's real capabilities (an unknown driver id gives none).
 */
export function identityOf(reading: Reading, driver: string): Identity {
  return {
    driver,
    capabilities: [...(driverById(driver)?.capabilities ?? [])],
    minerId: minerIdFor(reading),
    ip: ipToBytes(reading.ip),
    mac: reading.mac ? macToBytes(reading.mac) : undefined,
    serial: reading.serial,
    vendor: VENDOR[reading.vendor],
    model: reading.model,
    firmware: reading.firmware,
    hostname: reading.hostname,
  };
}

/** A successful poll as a proto sample (without seq, which the store assigns). */
export function readingToSample(reading: Reading, timeMs: number, identity: Identity | undefined): Sample {
  return {
    minerId: minerIdFor(reading),
    identity,
    timeMs,
    status: STATUS[reading.status],
    hashrateMhs: reading.hashrateMhs,
    hashrateAvgMhs: reading.hashrateAvgMhs,
    hashrateExpectedMhs: reading.hashrateExpectedMhs,
    boards: reading.boards.map((board) => ({
      index: board.index,
      hashrateMhs: board.hashrateMhs,
      boardTempDc: deciCelsius(board.boardTempC),
      chipTempDc: deciCelsius(board.chipTempC),
      inletTempDc: deciCelsius(board.inletTempC),
      outletTempDc: deciCelsius(board.outletTempC),
      chips: board.chips,
      chipsExpected: board.chipsExpected,
      serial: board.serial,
    })),
    fanRpm: reading.fansRpm,
    powerW: reading.powerW,
    pools: reading.pools.map((pool) => ({ ...pool, status: POOL_STATUS[pool.status] })),
    uptimeS: reading.uptimeS,
    errors: reading.errors,
  };
}

/** A failed poll: the miner is data, not a crash. */
export function failureToSample(
  minerId: string,
  timeMs: number,
  status: 'unreachable' | 'auth_failed',
  reason: string,
): Sample {
  return { minerId, timeMs, status: STATUS[status], pollError: reason.slice(0, 200) };
}
