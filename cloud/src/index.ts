// The cloud as a library: tests/ and scripts/ start it in-process.
export {
  type CloudConfig,
  ConfigError,
  type LogLevel,
  loadCloudConfig,
  printableConfig,
} from './config/index.js';
export { createLogger } from './logger.js';
export { type RunningCloud, type StartCloudOptions, startCloud } from './server.js';
