// The answers of the Portal Lite API (/api/v1/portal/*, cloud/src/features/portal/schemas.ts) the portal reads.

export interface PortalMiner {
  agentId: string;
  minerId: string;
  vendor: string;
  model: string;
  hostname: string;
  siteId: string | null;
  status: string;
  hashrateThs: number | null;
  expectedHashrateThs: number | null;
  powerW: number | null;
  temperatureC: number | null;
  uptimeS: number | null;
  lastSampleAt: string | null;
}

export interface PortalSummary {
  miners: { total: number; online: number; byStatus: Record<string, number> };
  hashrateThs: number;
  expectedHashrateThs: number;
  hashrateOfExpectedPercent: number | null;
  powerW: number;
  efficiencyJTh: number | null;
  temperatureC: { max: number | null; avg: number | null };
}

export interface HashratePoint {
  time: string;
  miners: number;
  onlineMiners: number;
  hashrateThs: number;
  powerW: number;
}

export interface Uptime {
  slaPercent: number | null;
  uptimePercent: number | null;
  slaMet: boolean | null;
  periods: { start: string; samples: number; uptimePercent: number | null; slaMet: boolean | null }[];
}

export interface PortalEvent {
  time: string;
  type: string;
  agentId: string;
  minerId: string;
  from: string;
  to: string;
}

/** Live profitability (the portal's earnings route answers in the calculator's snake_case). */
export interface LiveProfit {
  from: string;
  to: string;
  miners: number;
  measured: {
    avg_hashrate_th: number;
    avg_power_w: number;
    energy_kwh: number;
    uptime_percent: number | null;
    efficiency_j_th: number | null;
  };
  period: {
    days: number;
    btc: number;
    revenue: number;
    electricity_cost: number;
    hosting_cost: number;
    profit: number;
  };
  per_day: { btc_per_day: number; daily_revenue: number; daily_cost: number; daily_profit: number };
}

/** TH/s as the console's formatters take it (MH/s). */
export const thsToMhs = (ths: number | null | undefined): number | null =>
  ths === null || ths === undefined ? null : ths * 1e6;
