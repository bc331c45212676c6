import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { Inventory } from '../inventory/index.js';
import { discoveryPayloads } from './discovery.js';
import { type ScanOptions, type ScanResult, scan } from './scanner.js';

export interface RescanOptions {
  /** node-cron expression (5 or 6 fields); 'off' schedules nothing (runNow still works). */
  cron: string;
  /** What to scan and how. */
  scan: Omit<ScanOptions, 'inventory' | 'signal' | 'onProgress'>;
  /** Publishes one DiscoveryReport payload; false when it could not (not connected): it is retried later. */
  publish?: (payload: Uint8Array) => Promise<boolean>;
  /** After each scan is recorded (the poller refreshes its schedule here). */
  onScan?: (result: ScanResult) => void;
}

/**
 * Scans on a schedule into the inventory and publishes each scan's DiscoveryReport. One scan at a time: a tick
 * that comes while a scan runs is skipped. Reports not yet published are kept (only the latest scan's: a newer
 * scan supersedes them) and retried by `publishPending()`, e.g. when the cloud connection comes back.
 */
export class RescanScheduler {
  private task: ScheduledTask | undefined;
  private running: Promise<ScanResult | undefined> | undefined;
  private readonly abort = new AbortController();
  private pending: Uint8Array[] = [];
  private publishing: Promise<void> | undefined;

  constructor(
    private readonly inventory: Inventory,
    private readonly options: RescanOptions,
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (this.options.cron === 'off' || this.task !== undefined) return;
    this.task = cron.schedule(this.options.cron, () => void this.runNow(), { name: 'agent-rescan' });
  }

  /** Scans now unless a scan is running, whose result is returned instead. Never rejects (failures are logged). */
  runNow(): Promise<ScanResult | undefined> {
    if (this.running !== undefined) return this.running;
    if (this.abort.signal.aborted) return Promise.resolve(undefined);
    this.running = this.scanOnce().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Reports still waiting to be published. */
  get pendingReports(): number {
    return this.pending.length;
  }

  /** Publishes what is waiting, oldest part first; stops at the first refusal. */
  publishPending(): Promise<void> {
    this.publishing ??= (async () => {
      try {
        const publish = this.options.publish;
        while (publish !== undefined && this.pending.length > 0) {
          const payload = this.pending[0] as Uint8Array;
          if (!(await publish(payload))) return;
          if (this.pending[0] === payload) this.pending.shift();
        }
      } catch (error) {
        this.logger.warn({ err: error }, 'discovery report not published; kept for later');
      } finally {
        this.publishing = undefined;
      }
    })();
    return this.publishing;
  }

  /** Stops the schedule, aborts a running scan and waits for it. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.task?.destroy();
    this.task = undefined;
    await this.running;
    await this.publishing;
  }

  private async scanOnce(): Promise<ScanResult | undefined> {
    try {
      const result = await scan({
        ...this.options.scan,
        inventory: this.inventory,
        signal: this.abort.signal,
      });
      this.logger.info(
        {
          scanId: result.scanId,
          probed: result.probed,
          found: result.miners.length,
          new: result.miners.filter((miner) => miner.created).length,
          unidentified: result.unidentified.length,
          ms: result.finishedMs - result.startedMs,
          aborted: result.aborted,
        },
        'scan finished',
      );
      this.options.onScan?.(result);
      if (!result.aborted && this.options.publish !== undefined) {
        this.pending = discoveryPayloads(result);
        await this.publishPending();
      }
      return result;
    } catch (error) {
      this.logger.error({ err: error }, 'scan failed');
      return undefined;
    }
  }
}
