export { type CycleResult, Poller, type PollerOptions, type ReadMiner } from './poller.js';
export { identityOf, minerIdFor, readingToSample } from './to-sample.js';
