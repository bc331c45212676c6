import cron from 'node-cron';
import t from 'tap';
import { migratedTestDatabase } from '../../test/databases.js';
import { captureLogs } from '../../test/helpers.js';
import { startTelemetryJobs } from './jobs.js';
import { DEFAULT_RETENTION } from './service.js';

const T0 = Date.UTC(2026, 10, 2, 1);

t.test('jobs run on demand, log failures instead of throwing, and stop cleanly', async (t) => {
  const db = await migratedTestDatabase(t, 'sqlite');
  const logs = captureLogs();
  const before = cron.getTasks().size;
  const jobs = startTelemetryJobs(db, logs.logger, { retention: DEFAULT_RETENTION, now: () => T0 });
  t.equal(cron.getTasks().size, before + 5, 'five jobs scheduled');
  await db
    .insertInto('miner_sample')
    .values({
      agent_id: 'a',
      miner_id: 'm',
      time_ms: T0 - 60_000,
      status: 'ok',
      hashrate_mhs: 7,
      hashrate_avg_mhs: 7,
      hashrate_expected_mhs: 7,
      power_w: null,
      chip_temp_max_dc: null,
      board_temp_max_dc: null,
      fan_min_rpm: null,
      fan_max_rpm: null,
      accepted: 0,
      rejected: 0,
    })
    .execute();
  await Promise.all([jobs.run('rollup-5m'), jobs.run('rollup-5m')]);
  await jobs.run('rollup-1h');
  await jobs.run('rollup-1d');
  await jobs.run('rollup-late');
  await jobs.run('retention');
  t.same(
    await db
      .selectFrom('miner_rollup')
      .select(['resolution', 'hashrate_sum_mhs'])
      .orderBy('resolution')
      .execute(),
    [
      { resolution: '1d', hashrate_sum_mhs: 7 },
      { resolution: '1h', hashrate_sum_mhs: 7 },
      { resolution: '5m', hashrate_sum_mhs: 7 },
    ],
  );
  await db.schema.dropTable('miner_rollup').execute();
  await jobs.run('rollup-5m');
  t.match(
    logs.entries().find((entry) => entry.msg === 'telemetry job failed'),
    { job: 'rollup-5m', level: 50 },
    'a failing job is logged',
  );
  await jobs.stop();
  t.equal(cron.getTasks().size, before, 'no task left scheduled');
  await jobs.run('retention'); // after stop: a no-op, not an error
});
