import { tempDir } from '@hashinsight/testkit';
import { sql } from 'kysely';
import t from 'tap';
import { DIALECTS, openTestDatabase, postgresSkip, testEachDialect } from '../test/databases.js';
import { migrateTo, migrateToLatest, openDatabase, type UserRole } from './index.js';
import { migrations } from './migrations/index.js';

const EXPECTED_TABLES = [
  'agent',
  'api_key',
  'audit_log',
  'command',
  'command_dispatch',
  'command_idempotency',
  'command_schedule',
  'command_signing_key',
  'command_target',
  'credential',
  'credential_version',
  'customer',
  'enrollment_token',
  'event_inbox',
  'event_outbox',
  'miner',
  'miner_latest',
  'miner_model',
  'miner_rollup',
  'miner_sample',
  'network_snapshot',
  'refresh_token',
  'session',
  'site',
  'telemetry_rollup_dirty',
  'telemetry_stream',
  'tenant',
  'user',
  'vault_data_key',
];

for (const dialect of DIALECTS) {
  const skip = dialect === 'postgres' ? postgresSkip : undefined;
  t.test(`migrations apply once, in order [${dialect}]`, skip ? { skip } : {}, async (t) => {
    const db = await openTestDatabase(t, dialect);
    const first = await migrateToLatest(db);
    t.same(
      first.results?.map((r) => [r.migrationName, r.status]),
      Object.keys(migrations).map((name) => [name, 'Success']),
    );
    t.same((await migrateToLatest(db)).results, [], 'nothing to do the second time');
    // Kysely lists the tables of every schema PostgreSQL shows; keep this run's own.
    const own =
      dialect === 'postgres'
        ? (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]?.s
        : undefined;
    const tables = (await db.introspection.getTables())
      .filter((table) => own === undefined || table.schema === own)
      .map((table) => table.name);
    t.same(tables.sort(), [...EXPECTED_TABLES].sort());
  });
}

t.test('SQLite runs in WAL mode with foreign keys on', async (t) => {
  const db = openDatabase({ dataDir: tempDir(t) });
  t.teardown(() => db.destroy());
  await migrateToLatest(db);
  const pragma = async (name: string) =>
    Object.values((await sql.raw(`pragma ${name}`).execute(db)).rows[0] as object)[0];
  t.equal(await pragma('journal_mode'), 'wal');
  t.equal(await pragma('foreign_keys'), 1);
});

testEachDialect('foreign keys are enforced', async (t, db) => {
  const orphan = db
    .insertInto('miner')
    .values({
      id: 'm1',
      agent_id: 'no-such-agent',
      ip: '',
      mac: '',
      serial: '',
      vendor: 'unknown',
      model: '',
      firmware: '',
      hostname: '',
      first_seen_at: 1,
      last_seen_at: 1,
    })
    .execute();
  await t.rejects(orphan, /FOREIGN KEY|foreign key/);
});

const minerRow = (agentId: string, id: string) => ({
  agent_id: agentId,
  id,
  ip: '10.0.0.5',
  mac: '',
  serial: '',
  vendor: 'unknown',
  model: '',
  firmware: '',
  hostname: '',
  first_seen_at: 1,
  last_seen_at: 1,
});

const latestRow = (agentId: string, minerId: string) => ({
  agent_id: agentId,
  miner_id: minerId,
  time_ms: 1,
  status: 'ok',
  hashrate_mhs: 1,
  hashrate_avg_mhs: 1,
  hashrate_expected_mhs: 1,
  power_w: null,
  uptime_s: 1,
  detail: '{}',
  poll_error: '',
});

testEachDialect(
  'miners are keyed by (agent_id, id), their latest sample by (agent_id, miner_id)',
  async (t, db) => {
    for (const id of ['agent-1', 'agent-2'])
      await db
        .insertInto('agent')
        .values({
          id,
          epoch: 0,
          online: 0,
          hostname: '',
          agent_version: '',
          last_seen_at: null,
          created_at: 1,
        })
        .execute();
    await db.insertInto('miner').values(minerRow('agent-1', 'ip-10.0.0.5')).execute();
    await db.insertInto('miner').values(minerRow('agent-2', 'ip-10.0.0.5')).execute();
    t.pass('the same miner id under two agents is two miners');
    await t.rejects(
      db.insertInto('miner').values(minerRow('agent-1', 'ip-10.0.0.5')).execute(),
      /UNIQUE|PRIMARY KEY|duplicate key/,
    );

    await db.insertInto('miner_latest').values(latestRow('agent-1', 'ip-10.0.0.5')).execute();
    await db.insertInto('miner').values(minerRow('agent-1', 'ip-10.0.0.6')).execute();
    await t.rejects(
      db.insertInto('miner_latest').values(latestRow('agent-2', 'ip-10.0.0.6')).execute(),
      /FOREIGN KEY|foreign key/,
      'agent-2 has no ip-10.0.0.6: only agent-1 does',
    );
    await db.deleteFrom('miner').where('agent_id', '=', 'agent-1').where('id', '=', 'ip-10.0.0.5').execute();
    t.same(await db.selectFrom('miner_latest').select(['agent_id', 'miner_id']).execute(), [], 'cascades');
  },
);

for (const dialect of DIALECTS) {
  const skip = dialect === 'postgres' ? postgresSkip : undefined;
  t.test(
    `an install from before tenancy moves into one default tenant and site [${dialect}]`,
    skip ? { skip } : {},
    async (t) => {
      const db = await openTestDatabase(t, dialect);
      // Through the app's own migrate (schema-qualified, under the advisory lock): a bare Migrator on PostgreSQL
      // finds another test schema's kysely_migration_lock, skips creating its own and fails (a flaky CI failure).
      // It throws on a failed migration.
      await migrateTo(db, '0001_initial');
      await db
        .insertInto('user')
        .values({
          id: 'u1',
          email: 'ops@example.com',
          password_hash: 'x',
          role: 'operator' as UserRole,
          created_at: 1,
        })
        .execute();
      await db
        .insertInto('agent')
        .values({
          id: 'agent-1',
          epoch: 0,
          online: 0,
          hostname: '',
          agent_version: '',
          last_seen_at: null,
          created_at: 1,
        })
        .execute();
      await db.insertInto('miner').values(minerRow('agent-1', 'm1')).execute();

      await migrateToLatest(db);
      const tenants = await db.selectFrom('tenant').selectAll().execute();
      const sites = await db.selectFrom('site').selectAll().execute();
      t.equal(tenants.length, 1);
      t.equal(sites.length, 1);
      const tenantId = tenants[0]?.id;
      t.match(await db.selectFrom('user').selectAll().executeTakeFirst(), {
        tenant_id: tenantId,
        role: 'admin',
      });
      t.match(await db.selectFrom('agent').selectAll().executeTakeFirst(), {
        tenant_id: tenantId,
        site_id: sites[0]?.id,
      });
      t.match(await db.selectFrom('miner').selectAll().executeTakeFirst(), {
        tenant_id: tenantId,
        site_id: sites[0]?.id,
        customer_id: null,
      });
    },
  );
}
