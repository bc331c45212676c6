/** Proof-of-work functions other than Bitcoin's SHA-256d that a supported miner may run. */
export type Algorithm = 'scrypt' | 'x11' | 'ethash' | 'equihash';

/** What one poll of one miner tells us, in our units (hashrates are integer MH/s). Knows nothing of protobuf. */
export interface Reading {
  ip: string;
  /** What the miner hashes; absent is SHA-256d. The MH/s fields count hashes of this function. */
  algorithm?: Algorithm;
  /**
   * Equihash counts solutions, not hashes: its rates are here, exact, in Sol/s, and the MH/s fields are 0. The wire
   * contract (integer MH/s) has no place for them, so they stay with the agent (README, "Units").
   */
  solutionRate?: { solsNow: number; solsAvg: number; boardsSols: number[] };
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
