export { SimulatorError, type SimulatorErrorCode } from './errors.js';
export { type FleetOptions, SimulatedFleet, startFleet } from './fleet.js';
export { type Fault, type MinerSnapshot, VirtualMiner, type VirtualMinerOptions } from './virtual-miner.js';
