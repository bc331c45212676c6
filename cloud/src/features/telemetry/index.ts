// Telemetry history: raw samples, 5 min / 1 h / 1 d rollups, retention, and the reads the fleet API serves.
import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import { startTelemetryJobs, type TelemetryJobsOptions } from './jobs.js';

export { startTelemetryJobs, type TelemetryJobs, type TelemetryJobsOptions } from './jobs.js';
export { insertSamples, markDirtyHours } from './repository.js';
export {
  applyRetention,
  DEFAULT_RETENTION,
  type FleetPoint,
  fleetHashrateSeries,
  type HistoryPoint,
  type HistoryResolution,
  type HistoryScope,
  lateSampleHours,
  MAX_HISTORY_POINTS,
  minerHistory,
  type Resolution,
  type RetentionDays,
  rollupDirtyHours,
  rollupRecent,
  type SampleRow,
  STATUS_LOOKBACK_MS,
  type StatusChangeRow,
  type StatusChangeScope,
  statusChanges,
  storeSamples,
} from './service.js';

export interface TelemetryFeatureOptions {
  /** Runs the rollup and retention jobs when set (server.ts sets it; app tests usually do not). */
  jobs?: TelemetryJobsOptions;
}

/** Schedules the rollup and retention jobs once the app is ready; close() stops them and awaits running ones. */
const telemetryFeature: FastifyPluginAsync<TelemetryFeatureOptions> = async (fastify, { jobs }) => {
  if (jobs === undefined) return;
  const log = fastify.log.child({ feature: 'telemetry' }) as unknown as Logger;
  let scheduled: ReturnType<typeof startTelemetryJobs> | undefined;
  fastify.addHook('onReady', async () => {
    scheduled = startTelemetryJobs(fastify.db, log, jobs);
  });
  fastify.addHook('onClose', async () => {
    await scheduled?.stop();
  });
};

export default telemetryFeature;
