export { minerIdFor } from '../inventory/index.js';
export type { LagStats } from './lag.js';
export {
  type CycleResult,
  type FlushResult,
  Poller,
  type PollerHooks,
  type PollerOptions,
  type PollerStats,
  type PollTarget,
  type ReadMiner,
} from './poller.js';
export { driverReader } from './read.js';
export { identityOf, readingToSample } from './to-sample.js';
