// Telemetry history: raw samples, 5 min / 1 h / 1 d rollups, retention, and the reads the fleet API serves.
export {
  DEFAULT_RETENTION,
  type FleetPoint,
  fleetHashrateSeries,
  type HistoryPoint,
  type HistoryResolution,
  type HistoryScope,
  MAX_HISTORY_POINTS,
  minerHistory,
  type Resolution,
  type RetentionDays,
  type SampleRow,
  storeSamples,
} from './service.js';
