/** Miner fields as GET /api/miners and GET /api/miners/:agentId/:minerId answer them (cloud features/miners). */
export interface MinerRow {
  /** The agent's own id for the miner. */
  id: string;
  agentId: string;
  siteId: string | null;
  customerId: string | null;
  /** Decrypted for staff; empty when unknown. */
  ip: string;
  mac: string;
  serial: string;
  vendor: string;
  model: string;
  firmware: string;
  hostname: string;
  status: string;
  hashrateMhs: number | null;
  hashrateAvgMhs: number | null;
  hashrateExpectedMhs: number | null;
  powerW: number | null;
  uptimeS: number | null;
  temperatureC: number | null;
  lastSampleAt: string | null;
  firstSeenAt: string;
  lastSeenAt: string;
  pollError?: string;
}

/** The link to a miner's page; ids may hold any character. */
export const minerHref = (miner: { agentId: string; id: string }): string =>
  `/miners/${encodeURIComponent(miner.agentId)}/${encodeURIComponent(miner.id)}`;

/** A miner's name for people: its hostname, else the agent's id for it. */
export const minerName = (miner: { hostname: string; id: string }): string => miner.hostname || miner.id;
