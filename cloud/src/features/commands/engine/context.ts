import type { Logger } from 'pino';
import type { Db } from '../../../db/index.js';
import type { Notifier } from '../../../platform/index.js';
import type { Broker } from '../../../plugins/broker.js';
import type { VaultApi } from '../../vault/index.js';

// What every part of the engine shares: its dependencies, its settings and its counters.

export interface EngineSettings {
  /** How often the dispatcher looks for due targets (it is also woken by kick()). */
  dispatchEveryMs: number;
  /** How often the sweeper runs (expiry, timeouts, resends, finishes). */
  sweepEveryMs: number;
  /** Slack on top of a command's expiry and effect timeout before the cloud stops waiting for a report. */
  graceMs: number;
  /** The agent's default effect timeout, for commands stored with 0. */
  defaultEffectTimeoutS: number;
  /** A dispatch the broker has not acknowledged after this long is sent again (same bytes). */
  resendAfterMs: number;
  /** Most miners named in one wire message (keeps it far below the 256 KiB message limit). */
  maxMinersPerMessage: number;
  /** Most targets one command may start in one dispatcher pass (the rollout rate caps it further). */
  maxTargetsPerPass: number;
}

export const DEFAULT_ENGINE_SETTINGS: EngineSettings = {
  dispatchEveryMs: 1000,
  sweepEveryMs: 5000,
  graceMs: 60_000,
  defaultEffectTimeoutS: 900,
  resendAfterMs: 15_000,
  maxMinersPerMessage: 500,
  maxTargetsPerPass: 5000,
};

/** Counters for logs, tests and the bench (process-local). */
export interface EngineMetrics {
  messagesPublished: number;
  targetsDispatched: number;
  publishFailures: number;
  resends: number;
  updatesApplied: number;
  /** Updates that changed nothing: duplicates, late steps, updates about terminal targets. */
  updatesIgnored: number;
  /** Bad payloads and updates naming a dispatch or miner this agent was never sent, by reason code. */
  updatesRejected: Record<string, number>;
  vaultFailures: number;
}

export function newEngineMetrics(): EngineMetrics {
  return {
    messagesPublished: 0,
    targetsDispatched: 0,
    publishFailures: 0,
    resends: 0,
    updatesApplied: 0,
    updatesIgnored: 0,
    updatesRejected: {},
    vaultFailures: 0,
  };
}

export interface EngineDeps {
  db: Db;
  broker: Broker;
  vault: VaultApi;
  notifier: Notifier;
  log: Logger;
  now: () => number;
  settings: EngineSettings;
  metrics: EngineMetrics;
}
