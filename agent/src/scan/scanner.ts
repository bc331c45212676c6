import { type ConnectOptions, connectClients, identify, MinerError, type Reading } from '@hashinsight/miners';
import { parseTargets } from '../config/index.js';
import { type Inventory, minerIdFor } from '../inventory/index.js';
import { tcpProbe } from './probe.js';
import { type ProbeThread, startProbeThreads } from './probe-pool.js';
import { scanId } from './scan-id.js';

export interface ScanOptions {
  /** IPs, ranges a-b and CIDRs (each string may hold several, comma-separated). */
  targets: readonly string[];
  /** Addresses never probed, same forms. */
  exclude?: readonly string[];
  /** Addresses worked on at once, per thread (default 256). */
  concurrency?: number;
  /**
   * Threads probing (default 1: this one). More spread the TCP probes of a big range over worker threads; the
   * miners that answer are identified here either way.
   */
  threads?: number;
  /** Miner API port probed (default 4028). */
  port?: number;
  /** Deadline of the TCP probe and of each request of identification and the read (default 2000 ms). */
  timeoutMs?: number;
  /** Web credentials and reply limits for the drivers (a stock Antminer tells its MAC only over its web CGI). */
  connect?: Omit<ConnectOptions, 'port' | 'timeoutMs' | 'connectTimeoutMs'>;
  /** When given, every miner found is recorded there, with the scan, in one transaction at the end. */
  inventory?: Inventory;
  /** Called after each address is done. */
  onProgress?: (progress: ScanProgress) => void;
  /** Stops handing out addresses; the result says `aborted`. */
  signal?: AbortSignal;
  now?: () => number;
}

export interface ScanProgress {
  probed: number;
  total: number;
  /** Addresses that accepted a connection. */
  open: number;
  /** Miners identified and read. */
  found: number;
}

/** A miner the scan identified and read once. */
export interface FoundMiner {
  minerId: string;
  ip: string;
  port: number;
  /** Id of the driver that identified it. */
  driver: string;
  reading: Reading;
  /** With an inventory: first time it was seen, where it was before, the weaker id it had. */
  created?: boolean;
  ipChangedFrom?: string;
  renamedFrom?: string;
}

/** A host that accepted a connection on the miner port but could not be identified and read. */
export interface UnidentifiedHost {
  ip: string;
  port: number;
  /** A MinerError code, e.g. MINER_UNIDENTIFIED, MINER_TIMEOUT. */
  code: string;
  reason: string;
}

export interface ScanResult {
  scanId: string;
  /** Targets and exclusions as written. */
  ranges: string[];
  exclude: string[];
  startedMs: number;
  finishedMs: number;
  /** Addresses probed (all of them unless aborted). */
  probed: number;
  /** In address order. */
  miners: FoundMiner[];
  unidentified: UnidentifiedHost[];
  aborted: boolean;
}

export class ScanError extends Error {
  override readonly name = 'ScanError';
  constructor(
    readonly code: 'SCAN_BAD_TARGETS' | 'SCAN_BAD_OPTION',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const DEFAULTS = { concurrency: 256, port: 4028, timeoutMs: 2000, threads: 1 };
/** Addresses handed to a probe thread at once. */
const CHUNK = 512;

function checkOption(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ScanError('SCAN_BAD_OPTION', `${name} must be a whole number from ${min} to ${max}`);
  }
  return value;
}

/**
 * Finds the miners in the target ranges: a concurrency-limited TCP connect probe on every address, then, for
 * each one that accepts, identification through the drivers and one read (MAC, serial, model, firmware,
 * hashrate). A host that answers but cannot be identified is reported, never thrown; only bad targets or options
 * reject (ScanError).
 */
export async function scan(options: ScanOptions): Promise<ScanResult> {
  const now = options.now ?? Date.now;
  const concurrency = checkOption('concurrency', options.concurrency ?? DEFAULTS.concurrency, 1, 4096);
  const port = checkOption('port', options.port ?? DEFAULTS.port, 1, 65_535);
  const timeoutMs = checkOption('timeoutMs', options.timeoutMs ?? DEFAULTS.timeoutMs, 10, 60_000);
  const threads = checkOption('threads', options.threads ?? DEFAULTS.threads, 1, 64);
  let targets: ReturnType<typeof parseTargets>;
  try {
    targets = parseTargets(options.targets, options.exclude ?? []);
  } catch (error) {
    throw new ScanError('SCAN_BAD_TARGETS', (error as Error).message, { cause: error });
  }
  const startedMs = now();
  const connectOptions: ConnectOptions = {
    ...options.connect,
    port,
    connectTimeoutMs: timeoutMs,
    timeoutMs,
  };
  const progress: ScanProgress = { probed: 0, total: targets.count, open: 0, found: 0 };
  const found: Array<{ order: number; miner: FoundMiner }> = [];
  const unidentified: Array<{ order: number; host: UnidentifiedHost }> = [];
  const addresses = targets.addresses();
  let order = 0;

  const identifyAt = async (ip: string, at: number) => {
    progress.open += 1;
    const clients = connectClients(ip, connectOptions);
    let driverId: string | undefined;
    try {
      const { driver } = await identify(clients);
      driverId = driver.id;
      const reading = await driver.read(clients);
      progress.found += 1;
      found.push({
        order: at,
        miner: { minerId: minerIdFor(reading), ip, port, driver: driver.id, reading },
      });
    } catch (error) {
      const code = error instanceof MinerError ? error.code : 'MINER_UNEXPECTED';
      const message = error instanceof Error ? error.message : String(error);
      const reason = driverId === undefined ? message : `identified as ${driverId} but not read: ${message}`;
      unidentified.push({ order: at, host: { ip, port, code, reason: reason.slice(0, 300) } });
    }
  };

  // This thread: probe and identify one address at a time per lane.
  const lane = async () => {
    while (!options.signal?.aborted) {
      const next = addresses.next();
      if (next.done) return;
      const at = order++;
      if (await tcpProbe(next.value, port, timeoutMs)) await identifyAt(next.value, at);
      progress.probed += 1;
      options.onProgress?.({ ...progress });
    }
  };
  // A probe thread: a chunk of addresses at a time; the ones that accept are identified here, `concurrency` at once.
  const identifying = new Set<Promise<void>>();
  const takeChunk = () => {
    const chunk: Array<[string, number]> = [];
    while (chunk.length < CHUNK) {
      const next = addresses.next();
      if (next.done) break;
      chunk.push([next.value, order++]);
    }
    return chunk;
  };
  const offThread = async (thread: ProbeThread) => {
    while (!options.signal?.aborted) {
      const chunk = takeChunk();
      if (chunk.length === 0) return;
      const open = await thread.probe(
        chunk.map(([ip]) => ip),
        port,
        timeoutMs,
        concurrency,
      );
      for (const [i, [ip, at]] of chunk.entries()) {
        if (!open[i]) continue;
        while (identifying.size >= concurrency) await Promise.race(identifying);
        const done: Promise<void> = identifyAt(ip, at).finally(() => identifying.delete(done));
        identifying.add(done);
      }
      progress.probed += chunk.length;
      options.onProgress?.({ ...progress });
    }
  };

  const pool = threads > 1 ? startProbeThreads(threads - 1) : undefined;
  try {
    const lanes = Math.min(concurrency, Math.max(1, targets.count));
    await Promise.all([...Array.from({ length: lanes }, lane), ...(pool?.threads ?? []).map(offThread)]);
    await Promise.all(identifying);
    // Identifications of the last chunks finish after their chunk was counted.
    if (pool !== undefined) options.onProgress?.({ ...progress });
  } finally {
    await pool?.close();
  }

  const result: ScanResult = {
    scanId: scanId(startedMs),
    ranges: targets.entries,
    exclude: targets.exclude,
    startedMs,
    finishedMs: now(),
    probed: progress.probed,
    miners: found.sort((a, b) => a.order - b.order).map((entry) => entry.miner),
    unidentified: unidentified.sort((a, b) => a.order - b.order).map((entry) => entry.host),
    aborted: options.signal?.aborted === true,
  };
  if (options.inventory !== undefined) record(options.inventory, result);
  return result;
}

/** Writes the scan's miners and the scan itself in one transaction: one commit, not one per miner. */
function record(inventory: Inventory, result: ScanResult): void {
  inventory.transaction(() => {
    for (const miner of result.miners) {
      const upserted = inventory.upsertFromReading(
        miner.reading,
        miner.driver,
        miner.port,
        result.finishedMs,
      );
      miner.minerId = upserted.miner.minerId;
      miner.created = upserted.created;
      if (upserted.ipChangedFrom !== undefined) miner.ipChangedFrom = upserted.ipChangedFrom;
      if (upserted.renamedFrom !== undefined) miner.renamedFrom = upserted.renamedFrom;
    }
    inventory.recordScan({
      scanId: result.scanId,
      startedMs: result.startedMs,
      finishedMs: result.finishedMs,
      ranges: result.ranges,
      probed: result.probed,
      found: result.miners.length,
      unidentified: result.unidentified.length,
    });
  });
}
