// The cloud and the fleet both cloud benches use (API and portal): a silent cloud with the bench owner, and that
// owner's agents and miners with a latest sample, written straight into the tables as the ingest would have left
// them, varied by the miner's number.
import {
  type CloudConfig,
  createLogger,
  type Db,
  loadCloudConfig,
  openDatabase,
  startCloud,
} from '@hashinsight/cloud';

export const BENCH_EMAIL = 'bench@example.com';
export const BENCH_PASSWORD = 'bench password of decent length';
const MODELS = ['Antminer S19 Pro', 'Antminer S21', 'Whatsminer M30S++', 'Avalon A1366'];
const STATUSES = ['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'degraded', 'unreachable', 'offline'];

/**
 * A silent cloud on ephemeral ports with the bench owner, in `dataDir` (SQLite) or on `databaseUrl`, and a database
 * handle of its own to seed it with; `extra` settings win.
 */
export async function startBenchCloud(
  dataDir: string,
  databaseUrl: string | undefined,
  extra: Partial<CloudConfig> = {},
) {
  const config = loadCloudConfig(
    {},
    {
      dataDir,
      httpPort: 0,
      mqttPort: 0,
      bootstrapEmail: BENCH_EMAIL,
      bootstrapPassword: BENCH_PASSWORD,
      logLevel: 'silent',
      ...(databaseUrl === undefined ? {} : { databaseUrl }),
      ...extra,
    },
  );
  const cloud = await startCloud(config, { logger: createLogger('silent') });
  return { cloud, db: openDatabase({ dataDir, databaseUrl }) };
}

/** The tenant of the bench's bootstrap owner. */
export async function benchTenant(db: Db): Promise<{ tenantId: string; ownerId: string }> {
  const owner = await db
    .selectFrom('user')
    .select(['id', 'tenant_id'])
    .where('email', '=', BENCH_EMAIL)
    .executeTakeFirstOrThrow();
  return { tenantId: owner.tenant_id as string, ownerId: owner.id };
}

export async function insertBenchAgent(
  db: Db,
  agent: { id: string; tenantId: string; siteId: string; at: number },
): Promise<void> {
  await db
    .insertInto('agent')
    .values({
      id: agent.id,
      tenant_id: agent.tenantId,
      site_id: agent.siteId,
      epoch: 1,
      online: 1,
      hostname: agent.id,
      agent_version: '1.0.0',
      last_seen_at: agent.at,
      created_at: agent.at,
    } as never)
    .execute();
}

export interface BenchMiner {
  tenantId: string;
  siteId: string;
  customerId: string | null;
  agentId: string;
  /** Index of the agent, and of the miner under it (its IP). */
  agent: number;
  miner: number;
  /** Number of the miner in the fleet: picks its model, status, hashrate, power and temperatures. */
  n: number;
  id: string;
  firstSeenAt: number;
  /** When it was last seen, which is also the time of its latest sample. */
  seenAt: number;
}

/** The `miner` and `miner_latest` rows of one bench miner. */
export function benchMinerRows(m: BenchMiner) {
  const { n } = m;
  const hashrate = 100_000_000 + ((n * 7919) % 20_000_000);
  const miner = {
    agent_id: m.agentId,
    id: m.id,
    ip: `10.${m.agent}.${m.miner >> 8}.${m.miner & 255}`,
    mac: '',
    serial: `SN${n}`,
    vendor: 'bitmain',
    model: MODELS[n % MODELS.length] as string,
    firmware: 'fw',
    hostname: `miner-${n}`,
    first_seen_at: m.firstSeenAt,
    last_seen_at: m.seenAt,
    tenant_id: m.tenantId,
    site_id: m.siteId,
    customer_id: m.customerId,
  };
  const latest = {
    agent_id: m.agentId,
    miner_id: m.id,
    time_ms: m.seenAt,
    status: STATUSES[n % STATUSES.length] as string,
    hashrate_mhs: hashrate,
    hashrate_avg_mhs: hashrate,
    hashrate_expected_mhs: 110_000_000,
    power_w: 3000 + (n % 400),
    uptime_s: 50_000,
    detail: JSON.stringify({
      boards: [0, 1, 2].map((index) => ({
        index,
        hashrateMhs: Math.round(hashrate / 3),
        boardTempDc: 550 + (n % 50),
        chipTempDc: 650 + ((n * 13 + index) % 150),
        inletTempDc: null,
        outletTempDc: null,
        chips: 114,
        chipsExpected: 114,
        serial: '',
      })),
      fansRpm: [5400, 5520, 5460, 5580],
      pools: [
        {
          url: 'stratum+tcp://pool.example:3333',
          user: 'site.w1',
          status: 'alive',
          active: true,
          priority: 0,
          accepted: 4000,
          rejected: 3,
          stale: 0,
        },
      ],
      errors: [],
    }),
    poll_error: '',
  };
  return { miner, latest, hashrate };
}
