export { discoveryPayloads } from './discovery.js';
export { tcpProbe } from './probe.js';
export { type RescanOptions, RescanScheduler } from './rescan.js';
export {
  type FoundMiner,
  ScanError,
  type ScanOptions,
  type ScanProgress,
  type ScanResult,
  scan,
  type UnidentifiedHost,
} from './scanner.js';
