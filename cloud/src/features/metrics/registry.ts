import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Ingest counters as the ingest feature keeps them (read at scrape time). */
export interface IngestCounters {
  batchesStored: number;
  samplesStored: number;
  duplicateSamples: number;
  failures: number;
  rejected: Map<string, { kind: string; code: string; count: number }>;
}

/** A broker that can say how many clients it holds (the embedded one may; optional). */
interface CountingBroker {
  connectedClients?: () => number;
}

/**
 * One registry per app (tests build several apps in one process): process metrics (CPU, memory, event-loop
 * lag, handles), HTTP request counts and latency by route and status, and gauges read when scraped.
 */
export function createMetrics(fastify: FastifyInstance, ingest: IngestCounters | undefined) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'hashinsight_' });

  const requests = new Counter({
    name: 'hashinsight_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'hashinsight_http_request_duration_seconds',
    help: 'HTTP request latency, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });

  const { db, broker, platform } = fastify;
  new Gauge({
    name: 'hashinsight_broker_up',
    help: '1 while the MQTT broker (embedded, or the connection to the external one) is up',
    registers: [registry],
    collect() {
      this.set(broker.isRunning() ? 1 : 0);
    },
  });
  const counting = broker as CountingBroker;
  if (typeof counting.connectedClients === 'function') {
    const count = counting.connectedClients.bind(broker);
    new Gauge({
      name: 'hashinsight_broker_clients',
      help: 'MQTT clients connected to the embedded broker',
      registers: [registry],
      collect() {
        this.set(count());
      },
    });
  }
  new Gauge({
    name: 'hashinsight_agents_online',
    help: 'Agents whose latest presence is a birth (all tenants)',
    registers: [registry],
    async collect() {
      const row = await db
        .selectFrom('agent')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('online', '=', 1)
        .executeTakeFirst();
      this.set(Number(row?.n ?? 0));
    },
  });
  new Gauge({
    name: 'hashinsight_events_outbox_pending',
    help: 'Events recorded but not yet relayed (the outbox backlog)',
    registers: [registry],
    async collect() {
      this.set(await platform.events.pending());
    },
  });
  new Gauge({
    name: 'hashinsight_events_relayed',
    help: 'Events this instance relayed since it started',
    registers: [registry],
    collect() {
      this.set(platform.events.relayedTotal);
    },
  });
  new Gauge({
    name: 'hashinsight_cache_lookups',
    help: 'Cache lookups on this instance since it started, by outcome (hit, stale, miss)',
    labelNames: ['outcome'] as const,
    registers: [registry],
    collect() {
      const { hits, stale, misses } = platform.cache.stats;
      this.set({ outcome: 'hit' }, hits);
      this.set({ outcome: 'stale' }, stale);
      this.set({ outcome: 'miss' }, misses);
    },
  });
  if (ingest !== undefined) {
    const counter = (name: string, help: string, read: () => number) =>
      new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          this.set(read());
        },
      });
    counter(
      'hashinsight_ingest_batches_stored',
      'Telemetry batches committed and acknowledged',
      () => ingest.batchesStored,
    );
    counter(
      'hashinsight_ingest_samples_stored',
      'New telemetry samples committed',
      () => ingest.samplesStored,
    );
    counter(
      'hashinsight_ingest_samples_duplicate',
      'Replayed samples skipped',
      () => ingest.duplicateSamples,
    );
    counter(
      'hashinsight_ingest_failures',
      'Messages whose handling failed after decoding',
      () => ingest.failures,
    );
    new Gauge({
      name: 'hashinsight_ingest_rejected',
      help: 'MQTT messages rejected, by topic kind and error code',
      labelNames: ['kind', 'code'] as const,
      registers: [registry],
      collect() {
        for (const { kind, code, count } of ingest.rejected.values()) this.set({ kind, code }, count);
      },
    });
  }
  return { registry, requests, duration };
}
