// Shared by the cloud's tests: real SQLite in a temp dir, the real embedded broker, real MQTT clients.
import { createHash } from 'node:crypto';
import { ipToBytes, macToBytes, telemetryBatchCodec } from '@hashinsight/protocol';
import { tempDir } from '@hashinsight/testkit';
import type { FastifyInstance } from 'fastify';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { Test } from 'tap';
import { type AppDependencies, buildApp } from '../app.js';
import { type CloudConfig, loadCloudConfig } from '../config/index.js';
import { type Db, migrateToLatest, openDatabase } from '../db/index.js';
import { verifyAgentCredentials } from '../features/agents/index.js';
import { bootstrapOwner, ensureDefaultTenant } from '../features/auth/index.js';
import { createLogger } from '../logger.js';
import { createEmbeddedBroker, type EmbeddedBroker } from '../plugins/broker.js';
import { type RunningCloud, startCloud } from '../server.js';

export const OWNER_EMAIL = 'owner@example.com';
export const OWNER_PASSWORD = 'correct horse battery staple';
export const JWT_SECRET = 'test-secret-of-at-least-32-characters!!';

export interface CapturedLogs {
  logger: Logger;
  /** Every line logged so far, parsed. */
  entries(): Record<string, unknown>[];
  /** Every line logged so far, raw. */
  text(): string;
}

/** A real pino logger writing into memory, so tests can assert on what was (and was not) logged. */
export function captureLogs(): CapturedLogs {
  const lines: string[] = [];
  const logger = createLogger('debug', { write: (line: string) => void lines.push(line) });
  return {
    logger,
    entries: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    text: () => lines.join(''),
  };
}

export function testConfig(t: Test, overrides: Partial<CloudConfig> = {}): CloudConfig {
  return loadCloudConfig(
    {},
    {
      dataDir: overrides.dataDir ?? tempDir(t),
      httpPort: 0,
      mqttPort: 0,
      bootstrapEmail: OWNER_EMAIL,
      bootstrapPassword: OWNER_PASSWORD,
      jwtSecret: JWT_SECRET,
      logLevel: 'debug',
      ...overrides,
    },
  );
}

/** The whole cloud on free ports, closed when the test ends. */
export async function startTestCloud(
  t: Test,
  overrides: Partial<CloudConfig> = {},
): Promise<{ cloud: RunningCloud; config: CloudConfig; logs: CapturedLogs }> {
  const logs = captureLogs();
  const config = testConfig(t, overrides);
  const cloud = await startCloud(config, { logger: logs.logger });
  t.teardown(() => cloud.close());
  return { cloud, config, logs };
}

/** The Fastify app over a migrated temp database and a broker that does not listen: for `app.inject`. */
export async function buildTestApp(
  t: Test,
  options: Pick<AppDependencies, 'platform' | 'metricsToken' | 'rateLimits'> = {},
): Promise<{ app: FastifyInstance; db: Db; broker: EmbeddedBroker; logs: CapturedLogs }> {
  const logs = captureLogs();
  const db = openDatabase({ dataDir: tempDir(t) });
  await migrateToLatest(db);
  await bootstrapOwner(db, { email: OWNER_EMAIL, password: OWNER_PASSWORD }, Date.now());
  const broker = await createEmbeddedBroker(logs.logger, {
    verifyAgent: (agentId, password) => verifyAgentCredentials(db, agentId, password),
  });
  const app = await buildApp({ db, broker, jwtSecret: JWT_SECRET, logger: logs.logger, ...options });
  t.teardown(async () => {
    await app.close();
    await broker.close();
    await db.destroy();
  });
  return { app, db, broker, logs };
}

/** The MQTT password every agent made by enrollTestAgent gets. */
export const AGENT_PASSWORD = 'agent-test-password-of-enough-length';

/**
 * An enrolled agent row in the default site (as POST /api/agents/enroll makes one), with AGENT_PASSWORD, so
 * tests that are not about enrollment can connect agents and ingest for them.
 */
export async function enrollTestAgent(db: Db, agentId: string, password = AGENT_PASSWORD): Promise<void> {
  const { tenantId, siteId } = await ensureDefaultTenant(db, Date.now());
  await db
    .insertInto('agent')
    .values({
      id: agentId,
      tenant_id: tenantId,
      site_id: siteId,
      epoch: 0,
      online: 0,
      hostname: '',
      agent_version: '',
      last_seen_at: null,
      created_at: Date.now(),
      mqtt_password_hash: `sha256:${createHash('sha256').update(password).digest('hex')}`,
      signing_public_key: null,
      box_public_key: null,
      enrolled_at: Date.now(),
      revoked_at: null,
    })
    .execute();
}

/** Enrolls `agentIds` (enrollTestAgent) in the database of a cloud started with `config`. */
export async function enrollAgents(config: CloudConfig, agentIds: string[]): Promise<void> {
  const db = openDatabase(config);
  try {
    for (const agentId of agentIds) await enrollTestAgent(db, agentId);
  } finally {
    await db.destroy();
  }
}

/**
 * Connects like an agent does (MQTT 3.1.1, no reconnects, user name = client id); disconnected when the test
 * ends.
 */
export async function connectAgent(
  t: Test,
  port: number,
  clientId: string,
  password = AGENT_PASSWORD,
): Promise<MqttClient> {
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
    clientId,
    username: clientId,
    password,
    protocolVersion: 4,
    reconnectPeriod: 0,
    connectTimeout: 5000,
  });
  t.teardown(() => client.endAsync(true));
  return client;
}

/** Whether the broker accepts a connection with `clientId`: 'refused' when it closes without a CONNACK 0. */
export function tryConnect(
  port: number,
  clientId: string,
  login: { username?: string; password?: string } = { username: clientId, password: AGENT_PASSWORD },
): Promise<'connected' | 'refused'> {
  return new Promise((resolve) => {
    const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, {
      clientId,
      ...login,
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 5000,
    });
    const finish = (outcome: 'connected' | 'refused') => {
      client.removeAllListeners();
      client.on('error', () => undefined);
      client.end(true, () => resolve(outcome));
    };
    client.once('connect', () => finish('connected'));
    client.once('error', () => finish('refused'));
    client.once('close', () => finish('refused'));
  });
}

/** Resolves with the next message on `topic` (subscribe first, then trigger). */
export function nextMessage(client: MqttClient, topic: string): Promise<Buffer> {
  return new Promise((resolve) => {
    const onMessage = (received: string, payload: Buffer) => {
      if (received !== topic) return;
      client.off('message', onMessage);
      resolve(payload);
    };
    client.on('message', onMessage);
  });
}

export const MINER_ID = 'aabbccddeeff';

/** A realistic sample of an Antminer S19 Pro, with identity. */
export function sample(seq: number, overrides: Record<string, unknown> = {}) {
  return {
    seq,
    minerId: MINER_ID,
    identity: {
      minerId: MINER_ID,
      ip: ipToBytes('10.0.0.21'),
      mac: macToBytes('aa:bb:cc:dd:ee:ff'),
      serial: 'SN-0001',
      vendor: 1,
      model: 'Antminer S19 Pro',
      firmware: 'bmminer 1.0.0',
      hostname: 'antminer-21',
    },
    timeMs: 1_795_000_000_000 + seq * 60_000,
    status: 1,
    hashrateMhs: 110_566_890,
    hashrateAvgMhs: 111_834_850,
    hashrateExpectedMhs: 110_000_000,
    boards: [
      {
        index: 0,
        hashrateMhs: 36_855_630,
        chipTempDc: 712,
        boardTempDc: 551,
        chips: 114,
        chipsExpected: 114,
      },
    ],
    fanRpm: [5400, 5520, 5460, 5580],
    powerW: 3250,
    pools: [
      {
        url: 'stratum+tcp://pool.example:3333',
        user: 'site1.w1',
        status: 1,
        active: true,
        accepted: 4057,
        rejected: 11,
        stale: 1,
      },
    ],
    uptimeS: 50_474,
    errors: [],
    ...overrides,
  };
}

/** An encoded TelemetryBatch; `oldestUnackedSeq` 0 means not stated. */
export function batchBytes(
  epoch: number,
  samples: ReturnType<typeof sample>[],
  oldestUnackedSeq = 0,
): Uint8Array {
  return telemetryBatchCodec.encode({ epoch, samples, oldestUnackedSeq });
}

/** Resolves when the broker (or anyone) has closed the client's connection. */
export function closed(client: MqttClient): Promise<void> {
  return new Promise((resolve) => client.once('close', () => resolve()));
}
