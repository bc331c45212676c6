import type { Db } from '../../db/index.js';
import type { Principal } from '../../plugins/access.js';
import { fleetHashrateSeries, type Resolution } from '../telemetry/index.js';

// GET /api/fleet/history: the fleet's hashrate (and expected hashrate, online miners, power) over time, from the
// telemetry rollups, for the console's overview chart.

export interface FleetHistoryPoint {
  /** Bucket start, ISO 8601. */
  t: string;
  /** Miners with samples in the bucket, and those of them with an online sample. */
  miners: number;
  onlineMiners: number;
  /** Each miner's average over the bucket, summed. */
  hashrateMhs: number;
  expectedHashrateMhs: number;
  powerW: number;
}

// A customer principal without its customer (never issued) must see nothing rather than everything.
const NO_CUSTOMER = '\u0000';

/**
 * The series over [fromMs, toMs) at `resolution`: staff see their tenant (narrowed by siteId / customerId), a
 * customer only its own miners — a customerId filter naming another customer gives nothing, as in the summary.
 */
export async function fleetHistory(
  db: Db,
  principal: Principal,
  filters: { siteId?: string | undefined; customerId?: string | undefined },
  resolution: Resolution,
  fromMs: number,
  toMs: number,
): Promise<FleetHistoryPoint[]> {
  let customerId = filters.customerId;
  if (principal.role === 'customer') {
    const own = principal.customerId ?? NO_CUSTOMER;
    if (customerId !== undefined && customerId !== own) return [];
    customerId = own;
  }
  const points = await fleetHashrateSeries(
    db,
    {
      tenantId: principal.tenantId,
      customerId,
      ...(filters.siteId === undefined ? {} : { siteId: filters.siteId }),
    },
    resolution,
    fromMs,
    toMs,
  );
  return points.map((point) => ({
    t: new Date(point.timeMs).toISOString(),
    miners: point.miners,
    onlineMiners: point.onlineMiners,
    hashrateMhs: point.hashrateMhs,
    expectedHashrateMhs: point.hashrateExpectedMhs,
    powerW: point.powerW,
  }));
}
