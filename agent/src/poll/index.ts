export { minerIdFor } from '../inventory/index.js';
export { type CycleResult, Poller, type PollerOptions, type ReadMiner } from './poller.js';
export { identityOf, readingToSample } from './to-sample.js';
