// The calculator API's answers (cloud/src/features/profitability/schemas.ts), in its snake_case.

/** An input the calculation used and where it came from (request, catalog, default, a network source…). */
export interface UsedInput {
  value: number | string | null;
  source: string;
  as_of: string | null;
  age_seconds: number | null;
}

export interface CalculationResult {
  daily_revenue: number;
  daily_cost: number;
  daily_electricity_cost: number;
  daily_hosting_cost: number;
  daily_profit: number;
  monthly_profit: number;
  roi_days: number | null;
  btc_per_day: number;
  hashprice: { usd_per_ph_day: number };
  break_even_electricity_cost: number | null;
  break_even_btc_price: number | null;
  total_hashrate_th: number;
  total_power_w: number;
  efficiency_j_th: number | null;
  total_hardware_cost_usd: number;
  network_status: string;
  inputs: Record<string, UsedInput>;
}

export interface HeatmapResult {
  btc_prices: number[];
  electricity_prices: number[];
  /** daily_profit[i][j] at btc_prices[i] and electricity_prices[j]. */
  daily_profit: number[][];
  roi_days: (number | null)[][];
  network_status: string;
}

export interface CatalogModel {
  id: string;
  vendor: string;
  model: string;
  hashrateTh: number;
  powerW: number;
  efficiencyJTh: number;
}

/** A used input's numeric value, if it has one. */
export const usedNumber = (input: UsedInput | undefined): number | undefined =>
  typeof input?.value === 'number' && Number.isFinite(input.value) ? input.value : undefined;
