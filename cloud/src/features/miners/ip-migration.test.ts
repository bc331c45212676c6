// Upgrading a database that holds miner addresses in clear (migration 0014, then the app's start): the rows
// keep their address, now sealed, and nothing of it stays in clear. On every dialect.
import { sql } from 'kysely';
import t from 'tap';
import { migrateTo, migrateToLatest } from '../../db/index.js';
import { DIALECTS, openTestDatabase, postgresSkip } from '../../test/databases.js';
import { buildAppOver, insertAgent, insertMiner } from '../../test/fleet.js';
import { accessToken, bearer, seedTenant } from '../../test/identities.js';

for (const dialect of DIALECTS) {
  const skip = dialect === 'postgres' ? postgresSkip : undefined;
  t.test(
    `clear addresses stored before 0014 are sealed at start [${dialect}]`,
    skip ? { skip } : {},
    async (t) => {
      const db = await openTestDatabase(t, dialect);
      await migrateTo(db, '0013_commands');
      const a = await seedTenant(db, 'a');
      await insertAgent(db, { id: 'agent-a', tenantId: a.tenantId, siteId: a.siteId });
      const addresses = ['10.20.30.40', '10.20.30.41', 'fd00::7'];
      for (const [i, ip] of addresses.entries()) {
        await insertMiner(db, {
          agentId: 'agent-a',
          id: `m${i}`,
          tenantId: a.tenantId,
          siteId: a.siteId,
          ip,
        });
      }
      // A miner without a tenant: no key to seal under, so its address is dropped.
      await sql`insert into agent (id, epoch, online, hostname, agent_version, created_at)
      values ('agent-x', 0, 0, '', '', 1)`.execute(db);
      await sql`insert into miner (agent_id, id, ip, mac, serial, vendor, model, firmware, hostname, first_seen_at,
      last_seen_at) values ('agent-x', 'x1', '10.66.66.66', '', '', 'unknown', '', '', '', 1, 1)`.execute(db);

      await migrateToLatest(db);
      const columns = (await db.introspection.getTables())
        .find((table) => table.name === 'miner')
        ?.columns.map((column) => column.name);
      t.ok(columns?.includes('ip_enc') && columns.includes('ip_net_index'), 'the new columns');
      t.notOk(columns?.includes('ip_sort'), 'ip_sort is gone');
      const before = await db.selectFrom('miner').select(['id', 'ip']).orderBy('id').execute();
      t.same(
        before.map((row) => row.ip),
        [...addresses, '10.66.66.66'],
        'the migration itself holds no key and changes no address',
      );

      const app = await buildAppOver(t, db);
      await app.ready();
      const rows = await db.selectFrom('miner').selectAll().orderBy('id').execute();
      t.same(
        rows.map((row) => [row.id, row.ip, row.ip_enc !== '']),
        [
          ['m0', '', true],
          ['m1', '', true],
          ['m2', '', true],
          ['x1', '', false],
        ],
        'sealed, or dropped without a tenant',
      );
      t.equal(rows[0]?.ip_net_index, rows[1]?.ip_net_index, 'one subnet, one index');
      t.same(
        rows.map((row) => row.ip_host),
        [40, 41, 7, -1],
      );
      const text = JSON.stringify(rows);
      for (const ip of [...addresses, '10.66.66.66']) t.notOk(text.includes(ip), `${ip} is not in the rows`);

      const token = await accessToken(app, db, a.users.owner);
      const listed = await app.inject({ method: 'GET', url: '/api/miners?sort=ip', headers: bearer(token) });
      t.same(
        listed.json().data.miners.map((m: { id: string; ip: string }) => [m.id, m.ip]),
        rows[0]?.ip_net_index !== undefined && rows[0].ip_net_index < (rows[2]?.ip_net_index ?? '')
          ? [
              ['m0', '10.20.30.40'],
              ['m1', '10.20.30.41'],
              ['m2', 'fd00::7'],
            ]
          : [
              ['m2', 'fd00::7'],
              ['m0', '10.20.30.40'],
              ['m1', '10.20.30.41'],
            ],
        'the addresses read back, a subnet in host order',
      );
    },
  );
}
