export { SimulatorError, type SimulatorErrorCode } from './errors.js';
export { checkOpenFiles, FD_HEADROOM, openFileLimit } from './fd-limit.js';
export { type FleetOptions, inShare, SimulatedFleet, startFleet } from './fleet.js';
export { type FleetProcess, type FleetProcessOptions, startFleetProcess } from './fleet-process.js';
export type { Credentials } from './machine.js';
export { assignMix, type Mix, parseMix } from './mix.js';
export { PERSONALITY_NAMES, type PersonalityName } from './personalities/index.js';
export type { PoolSetting } from './pools.js';
export type { PowerMode } from './telemetry.js';
export {
  type Fault,
  type MinerSnapshot,
  type MinerState,
  VirtualMiner,
  type VirtualMinerOptions,
} from './virtual-miner.js';
