// Fleet fixtures for the fleet API tests and the API benchmark: an app over a given database (any dialect),
// and tenants whose agents and miners (with latest samples) are written straight into the tables, as the
// ingest would have left them.
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Test } from 'tap';
import { buildApp } from '../app.js';
import type { Db, MinerDetail } from '../db/index.js';
import { createEmbeddedBroker } from '../plugins/broker.js';
import { captureLogs, JWT_SECRET } from './helpers.js';

/** The app over `db` with a broker that does not listen (no agent can connect), closed when `t` ends. */
export async function buildAppOver(t: Test, db: Db, now?: () => number): Promise<FastifyInstance> {
  const logs = captureLogs();
  const broker = await createEmbeddedBroker(logs.logger, { verifyAgent: async () => false });
  const app = await buildApp({
    db,
    broker,
    jwtSecret: JWT_SECRET,
    logger: logs.logger,
    ...(now ? { now } : {}),
  });
  t.teardown(async () => {
    await app.close();
    await broker.close();
  });
  return app;
}

/** An agent row of a tenant's site (the columns enrollment adds stay null). */
export async function insertAgent(
  db: Db,
  agent: { id: string; tenantId: string; siteId: string },
): Promise<void> {
  await sql`insert into agent (id, tenant_id, site_id, epoch, online, hostname, agent_version, created_at)
    values (${agent.id}, ${agent.tenantId}, ${agent.siteId}, 1, 1, ${`host-${agent.id}`}, '1.0.0', ${Date.now()})`.execute(
    db,
  );
}

export interface MinerSeed {
  agentId: string;
  id: string;
  tenantId: string;
  siteId: string;
  customerId?: string | null;
  ip?: string;
  model?: string;
  lastSeenAt?: number;
  /** Omit for a miner without a sample yet. */
  latest?: {
    status: string;
    hashrateMhs: number;
    hashrateExpectedMhs: number;
    powerW: number | null;
    /** Chip temperatures of the boards, tenths of a degree. */
    chipTempsDc: (number | null)[];
    timeMs?: number;
  };
}

export async function insertMiner(db: Db, miner: MinerSeed): Promise<void> {
  const seen = miner.lastSeenAt ?? 1_795_000_000_000;
  await db
    .insertInto('miner')
    .values({
      agent_id: miner.agentId,
      id: miner.id,
      ip: miner.ip ?? '',
      mac: '',
      serial: `SN-${miner.id}`,
      vendor: 'bitmain',
      model: miner.model ?? 'Antminer S19 Pro',
      firmware: 'bmminer 1.0.0',
      hostname: `host-${miner.id}`,
      first_seen_at: seen - 1000,
      last_seen_at: seen,
      tenant_id: miner.tenantId,
      site_id: miner.siteId,
      customer_id: miner.customerId ?? null,
    })
    .execute();
  const latest = miner.latest;
  if (latest === undefined) return;
  const detail: MinerDetail = {
    boards: latest.chipTempsDc.map((chipTempDc, index) => ({
      index,
      hashrateMhs: Math.round(latest.hashrateMhs / latest.chipTempsDc.length),
      boardTempDc: chipTempDc === null ? null : chipTempDc - 150,
      chipTempDc,
      inletTempDc: null,
      outletTempDc: null,
      chips: 114,
      chipsExpected: 114,
      serial: '',
    })),
    fansRpm: [5400],
    pools: [],
    errors: [],
  };
  await db
    .insertInto('miner_latest')
    .values({
      agent_id: miner.agentId,
      miner_id: miner.id,
      time_ms: latest.timeMs ?? seen,
      status: latest.status,
      hashrate_mhs: latest.hashrateMhs,
      hashrate_avg_mhs: latest.hashrateMhs,
      hashrate_expected_mhs: latest.hashrateExpectedMhs,
      power_w: latest.powerW,
      uptime_s: 3600,
      detail: JSON.stringify(detail),
      poll_error: '',
    })
    .execute();
}

/** A route as the OpenAPI document describes it: every route of the app except the documentation's own. */
export interface DocumentedOperation {
  method: string;
  /** Fastify form: /api/sites/:id */
  url: string;
  access: string;
  pathParams: string[];
  query: Record<string, JsonSchema>;
  body: JsonSchema | undefined;
}

export type JsonSchema = Record<string, unknown>;

interface OpenApiParameter {
  in: string;
  name: string;
  schema?: JsonSchema;
}

/** Every route registered in the app, read from the OpenAPI document (so routes of every feature count). */
export async function documentedOperations(app: FastifyInstance): Promise<DocumentedOperation[]> {
  await app.ready();
  const document = (
    app as unknown as { swagger(): { paths: Record<string, Record<string, unknown>> } }
  ).swagger();
  const operations: DocumentedOperation[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    if (path.startsWith('/docs')) continue;
    for (const [method, raw] of Object.entries(methods)) {
      const operation = raw as {
        parameters?: OpenApiParameter[];
        requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
        description?: string;
      };
      const parameters = operation.parameters ?? [];
      operations.push({
        method: method.toUpperCase(),
        url: path.replace(/\{([^}]+)\}/g, ':$1'),
        access: /Permission: (\w+)/.exec(operation.description ?? '')?.[1] ?? 'unknown',
        pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        query: Object.fromEntries(
          parameters.filter((p) => p.in === 'query').map((p) => [p.name, p.schema ?? {}]),
        ),
        body: operation.requestBody?.content?.['application/json']?.schema,
      });
    }
  }
  return operations;
}

/** A small value that satisfies `schema` where that is easy (formats, enums, bounds); good enough to pass validation. */
export function sampleOf(schema: JsonSchema | undefined): unknown {
  if (schema === undefined) return {};
  if (Array.isArray(schema.enum)) return schema.enum[0];
  if ('const' in schema) return schema.const;
  const options = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (options !== undefined) return sampleOf(options.find((o) => o.type !== 'null') ?? options[0]);
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  const type = types.find((x) => x !== 'null') ?? types[0];
  switch (type) {
    case 'string': {
      if (schema.format === 'email') return 'sample@example.com';
      if (schema.format === 'date-time') return new Date(1_795_000_000_000).toISOString();
      if (schema.format === 'uuid') return '00000000-0000-7000-8000-000000000000';
      const min = typeof schema.minLength === 'number' ? schema.minLength : 1;
      return 'sample'.padEnd(min, 'x').slice(0, typeof schema.maxLength === 'number' ? schema.maxLength : 64);
    }
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 1;
    case 'boolean':
      return false;
    case 'array': {
      const count = typeof schema.minItems === 'number' ? Math.max(schema.minItems, 1) : 1;
      return Array.from({ length: count }, () => sampleOf(schema.items as JsonSchema | undefined));
    }
    case 'null':
      return null;
    default: {
      const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
      const required = (schema.required ?? []) as string[];
      return Object.fromEntries(required.map((name) => [name, sampleOf(properties[name])]));
    }
  }
}
