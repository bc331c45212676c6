/**
 * Ingest counters since the process started, for /metrics. Plain numbers: the metrics feature reads them when
 * scraped. Rejections are keyed by topic kind and error code (e.g. `telemetry` + `PROTOCOL_INVALID`).
 */
export class IngestMetrics {
  /** Telemetry batches committed (and acknowledged). */
  batchesStored = 0;
  /** New samples committed; replays of stored seqs are counted in duplicateSamples instead. */
  samplesStored = 0;
  duplicateSamples = 0;
  /** Messages whose handling failed after decoding (e.g. the database was down): not acked, the agent resends. */
  failures = 0;
  readonly rejected = new Map<string, { kind: string; code: string; count: number }>();

  reject(kind: string, code: string): void {
    const key = `${kind}\u0000${code}`;
    const entry = this.rejected.get(key);
    if (entry) entry.count += 1;
    else this.rejected.set(key, { kind, code, count: 1 });
  }

  get rejectedTotal(): number {
    let total = 0;
    for (const entry of this.rejected.values()) total += entry.count;
    return total;
  }
}

/** The process-wide counters the ingest plugin uses unless given its own (tests pass their own). */
export const ingestMetrics = new IngestMetrics();
