// The cloud as a library: tests/ and scripts/ start it in-process.
export {
  type CloudConfig,
  ConfigError,
  type LogLevel,
  loadCloudConfig,
  printableConfig,
} from './config/index.js';
// The ingest path without MQTT, for scripts/bench/cloud (decode, store and ack as the ingest feature does).
export { type Db, MIGRATION_LOCK_KEY, migrateToLatest, openDatabase } from './db/index.js';
export { ingestTelemetry } from './features/ingest/service.js';
export { createLogger } from './logger.js';
export { type RunningCloud, type StartCloudOptions, startCloud } from './server.js';
