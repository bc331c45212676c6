import { tempDir } from '@hashinsight/testkit';
import { sql } from 'kysely';
import t from 'tap';
import { migrateToLatest, openDatabase } from './index.js';
import { migrations } from './migrations/index.js';

t.test('migrations apply once, in order, and leave the expected tables', async (t) => {
  const db = openDatabase(tempDir(t));
  t.teardown(() => db.destroy());
  const first = await migrateToLatest(db);
  t.same(
    first.results?.map((r) => [r.migrationName, r.status]),
    Object.keys(migrations).map((name) => [name, 'Success']),
  );
  t.same((await migrateToLatest(db)).results, [], 'nothing to do the second time');

  const tables = await db.introspection.getTables();
  t.same(tables.map((table) => table.name).sort(), [
    'agent',
    'miner',
    'miner_latest',
    'telemetry_stream',
    'user',
  ]);
  const pragma = async (name: string) =>
    Object.values((await sql.raw(`pragma ${name}`).execute(db)).rows[0] as object)[0];
  t.equal(await pragma('journal_mode'), 'wal');
  t.equal(await pragma('foreign_keys'), 1);
});

t.test('foreign keys are enforced', async (t) => {
  const db = openDatabase(tempDir(t));
  t.teardown(() => db.destroy());
  await migrateToLatest(db);
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
  await t.rejects(orphan, /FOREIGN KEY/);
});
