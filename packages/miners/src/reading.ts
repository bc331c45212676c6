/** What one poll of one miner tells us, in our units (hashrates are integer MH/s). Knows nothing of protobuf. */
export interface Reading {
  ip: string;
  vendor: 'bitmain' | 'microbt' | 'canaan' | 'other' | 'unknown';
  model: string;
  firmware: string;
  hostname?: string;
  /** Lowercase, colon-separated: aa:bb:cc:dd:ee:ff. */
  mac?: string;
  serial?: string;
  status: 'ok' | 'degraded' | 'offline' | 'unreachable' | 'auth_failed' | 'sleeping';
  hashrateMhs: number;
  hashrateAvgMhs: number;
  hashrateExpectedMhs: number;
  boards: Array<{
    index: number;
    hashrateMhs: number;
    boardTempC?: number;
    chipTempC?: number;
    inletTempC?: number;
    outletTempC?: number;
    chips: number;
    chipsExpected: number;
    serial?: string;
  }>;
  fansRpm: number[];
  powerW?: number;
  pools: Array<{
    url: string;
    user: string;
    status: 'alive' | 'dead' | 'disabled' | 'unknown';
    active: boolean;
    priority: number;
    accepted: number;
    rejected: number;
    stale: number;
  }>;
  uptimeS: number;
  errors: Array<{ code: string; message: string }>;
}
