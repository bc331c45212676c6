import { MinerError, type Reading } from '@hashinsight/miners';
import type { Logger } from 'pino';
import { minerIdFor } from '../inventory/index.js';
import type { AgentStore, AppendResult } from '../store/index.js';
import { mapLimit } from './map-limit.js';
import { failureToSample, identityOf, readingToSample } from './to-sample.js';

/** Reads one miner; its transport owns the deadline. Rejects with a MinerError when the miner cannot be read. */
export type ReadMiner = (ip: string) => Promise<Reading>;

export interface PollerOptions {
  miners: string[];
  pollIntervalMs: number;
  pollConcurrency: number;
}

export interface CycleResult extends AppendResult {
  polled: number;
  failed: number;
  durationMs: number;
}

/**
 * Polls every miner once per interval with bounded concurrency and a deadline per miner (so one hung miner
 * never delays the rest), then writes the whole cycle to the outbox in one transaction.
 */
export class Poller {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;
  /** Last id seen at each IP, so a miner that stops answering keeps its id. */
  private readonly idByIp = new Map<string, string>();
  /** Error code of each miner whose last poll failed: a change is logged once, not every cycle. */
  private readonly failingByIp = new Map<string, string>();
  /** Identity last sent per miner in `identityEpoch`; identities are resent once per epoch and on change. */
  private readonly sentIdentity = new Map<string, string>();
  private identityEpoch = 0;

  constructor(
    private readonly store: AgentStore,
    private readonly read: ReadMiner,
    private readonly options: PollerOptions,
    private readonly logger: Logger,
    private readonly onCycle: (result: CycleResult) => void = () => {},
  ) {}

  start(): void {
    const loop = () => {
      if (this.stopped) return;
      const started = Date.now();
      this.running = this.runCycle()
        .then(this.onCycle)
        .catch((error: unknown) => this.logger.error({ err: error }, 'poll cycle failed'))
        .finally(() => {
          const wait = Math.max(0, this.options.pollIntervalMs - (Date.now() - started));
          if (!this.stopped) this.timer = setTimeout(loop, wait);
        });
    };
    loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  async runCycle(): Promise<CycleResult> {
    const started = Date.now();
    const epoch = this.store.currentEpoch();
    if (epoch !== this.identityEpoch) {
      this.sentIdentity.clear();
      this.identityEpoch = epoch;
    }
    let failed = 0;
    const samples = await mapLimit(this.options.miners, this.options.pollConcurrency, async (ip) => {
      try {
        const reading = await this.read(ip);
        if (this.failingByIp.delete(ip))
          this.logger.info({ ip, minerId: minerIdFor(reading) }, 'miner answers again');
        return this.toSample(reading);
      } catch (error) {
        failed += 1;
        const code = error instanceof MinerError ? error.code : 'MINER_UNEXPECTED';
        const message = error instanceof Error ? error.message : String(error);
        const minerId = this.idByIp.get(ip) ?? `ip-${ip}`;
        if (this.failingByIp.get(ip) !== code) {
          this.failingByIp.set(ip, code);
          this.logger.warn({ ip, minerId, code, reason: message }, 'miner poll failed');
        }
        return failureToSample(minerId, Date.now(), 'unreachable', `${code}: ${message}`);
      }
    });
    const stored = this.store.append(samples);
    for (const { minerId, reason } of stored.rejected) {
      this.logger.warn({ minerId, reason }, 'sample refused by the wire contract; not stored');
    }
    return { ...stored, polled: samples.length, failed, durationMs: Date.now() - started };
  }

  private toSample(reading: Reading) {
    const minerId = minerIdFor(reading);
    this.idByIp.set(reading.ip, minerId);
    const identity = identityOf(reading);
    const key = JSON.stringify(identity);
    const changed = this.sentIdentity.get(minerId) !== key;
    if (changed) this.sentIdentity.set(minerId, key);
    return readingToSample(reading, Date.now(), changed ? identity : undefined);
  }
}
