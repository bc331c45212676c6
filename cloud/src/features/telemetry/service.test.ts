import type { Db } from '../../db/index.js';
import { testEachDialect } from '../../test/databases.js';
import {
  applyRetention,
  DEFAULT_RETENTION,
  fleetHashrateSeries,
  LATE_AFTER_MS,
  minerHistory,
  rollupDirtyHours,
  rollupRange,
  rollupRecent,
  type SampleRow,
  storeSamples,
} from './service.js';

// A UTC midnight, so 5 min, 1 h and 1 d buckets all start here.
const T0 = Date.UTC(2026, 10, 2);
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const TENANT = 'tenant-a';
const SCOPE = { tenantId: TENANT };
const M1 = { agentId: 'agent-1', minerId: 'm1' };
const M2 = { agentId: 'agent-1', minerId: 'm2' };

async function seedFleet(db: Db): Promise<void> {
  await db.insertInto('tenant').values({ id: TENANT, name: 'A', created_at: T0 }).execute();
  await db.insertInto('tenant').values({ id: 'tenant-b', name: 'B', created_at: T0 }).execute();
  await db
    .insertInto('site')
    .values({ id: 'site-a', tenant_id: TENANT, name: 'S', location: '', timezone: 'UTC', created_at: T0 })
    .execute();
  await db
    .insertInto('customer')
    .values({ id: 'cust-1', tenant_id: TENANT, name: 'C', contact_email: '', created_at: T0 })
    .execute();
  await db
    .insertInto('agent')
    .values({
      id: 'agent-1',
      tenant_id: TENANT,
      site_id: 'site-a',
      epoch: 1,
      online: 1,
      hostname: '',
      agent_version: '',
      last_seen_at: null,
      created_at: T0,
    })
    .execute();
  for (const [id, customer] of [
    ['m1', 'cust-1'],
    ['m2', null],
  ] as const) {
    await db
      .insertInto('miner')
      .values({
        agent_id: 'agent-1',
        id,
        ip: '',
        mac: '',
        serial: '',
        vendor: 'bitmain',
        model: '',
        firmware: '',
        hostname: '',
        first_seen_at: T0,
        last_seen_at: T0,
        tenant_id: TENANT,
        site_id: 'site-a',
        customer_id: customer,
      })
      .execute();
  }
}

function row(miner: { agentId: string; minerId: string }, timeMs: number, over: Partial<SampleRow> = {}) {
  return {
    agent_id: miner.agentId,
    miner_id: miner.minerId,
    time_ms: timeMs,
    status: 'ok',
    hashrate_mhs: 100,
    hashrate_avg_mhs: 100,
    hashrate_expected_mhs: 110,
    power_w: 3000,
    chip_temp_max_dc: 700,
    board_temp_max_dc: 550,
    fan_min_rpm: 5000,
    fan_max_rpm: 5600,
    accepted: 0,
    rejected: 0,
    ...over,
  } satisfies SampleRow;
}

/** m1: one sample a minute for 2 h with hashrate = minute index; every 10th offline; no power at minute 7. */
function twoHours(): SampleRow[] {
  const rows: SampleRow[] = [];
  for (let i = 0; i < 120; i++) {
    rows.push(
      row(M1, T0 + i * MIN, {
        hashrate_mhs: i,
        hashrate_expected_mhs: 200,
        status: i % 10 === 0 ? 'offline' : 'ok',
        power_w: i === 7 ? null : 1000 + i,
        chip_temp_max_dc: 600 + i,
      }),
    );
  }
  return rows;
}

testEachDialect('5 min, 1 h and 1 d rollups add up to hand-computed values', async (t, db) => {
  await seedFleet(db);
  await storeSamples(db, twoHours(), T0 + 2 * HOUR);
  await rollupRange(db, '5m', T0, T0 + 2 * HOUR);
  await rollupRange(db, '1h', T0, T0 + 2 * HOUR);
  await rollupRange(db, '1d', T0, T0 + DAY);

  const five = await minerHistory(db, SCOPE, M1, '5m', T0, T0 + 2 * HOUR);
  t.equal(five?.length, 24);
  // Bucket 0: minutes 0-4 → hashrate 0..4 avg 2; minute 0 offline; power 1000..1004 avg 1002; max temp 604.
  t.same(five?.[0], {
    timeMs: T0,
    status: null,
    samples: 5,
    onlineSamples: 4,
    hashrateMhs: 2,
    hashrateExpectedMhs: 200,
    powerW: 1002,
    chipTempMaxDc: 604,
    boardTempMaxDc: 550,
  });
  // Bucket 1: minutes 5-9, power missing at 7 → (1005+1006+1008+1009)/4 = 1007.
  t.match(five?.[1], { samples: 5, onlineSamples: 5, hashrateMhs: 7, powerW: 1007 });

  const hours = await minerHistory(db, SCOPE, M1, '1h', T0, T0 + DAY);
  // Hour 0: minutes 0-59 → avg 29.5 → 30 (rounded), 6 offline, 59 power samples.
  t.match(hours, [
    { timeMs: T0, samples: 60, onlineSamples: 54, hashrateMhs: 30, chipTempMaxDc: 659 },
    { timeMs: T0 + HOUR, samples: 60, onlineSamples: 54, hashrateMhs: 90, chipTempMaxDc: 719 },
  ]);
  // Power 1000+i for i in 0..59 except 7: (60,000 + 1,770 - 1,007) / 59 = 60,763 / 59 = 1,029.88.
  t.equal(hours?.[0]?.powerW, 1030);
  const days = await minerHistory(db, SCOPE, M1, '1d', T0 - DAY, T0 + DAY);
  t.match(days, [{ timeMs: T0, samples: 120, onlineSamples: 108, hashrateMhs: 60, chipTempMaxDc: 719 }]);

  const raw = await minerHistory(db, SCOPE, M1, 'raw', T0 + 9 * MIN, T0 + 11 * MIN);
  t.match(raw, [
    { timeMs: T0 + 9 * MIN, status: 'ok', samples: 1, onlineSamples: 1, hashrateMhs: 9, powerW: 1009 },
    { timeMs: T0 + 10 * MIN, status: 'offline', samples: 1, onlineSamples: 0, hashrateMhs: 10 },
  ]);
});

testEachDialect('re-running a rollup, and storing the same samples again, change nothing', async (t, db) => {
  await seedFleet(db);
  await storeSamples(db, twoHours(), T0 + 2 * HOUR);
  await rollupRange(db, '5m', T0, T0 + 2 * HOUR);
  await rollupRange(db, '1h', T0, T0 + 2 * HOUR);
  const before = await db
    .selectFrom('miner_rollup')
    .selectAll()
    .orderBy(['resolution', 'bucket_ms'])
    .execute();
  // Two instances running the same jobs at once: the same statements concurrently.
  await Promise.all([
    rollupRange(db, '5m', T0, T0 + 2 * HOUR),
    rollupRange(db, '5m', T0, T0 + 2 * HOUR),
    storeSamples(db, twoHours(), T0 + 2 * HOUR),
  ]);
  await Promise.all([rollupRange(db, '1h', T0, T0 + 2 * HOUR), rollupRange(db, '1h', T0, T0 + 2 * HOUR)]);
  const after = await db
    .selectFrom('miner_rollup')
    .selectAll()
    .orderBy(['resolution', 'bucket_ms'])
    .execute();
  t.same(after, before);
  t.equal(before.length, 24 + 2);
  const count = await db
    .selectFrom('miner_sample')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirst();
  t.equal(Number(count?.n), 120, 'a replayed sample is stored once');
});

testEachDialect(
  'rolling jobs cover the recent buckets; late samples are caught through dirty hours',
  async (t, db) => {
    await seedFleet(db);
    const now = T0 + 2 * HOUR + 30_000;
    await storeSamples(db, [row(M1, now - 2 * MIN, { hashrate_mhs: 50 })], now);
    t.same(
      await db.selectFrom('telemetry_rollup_dirty').selectAll().execute(),
      [],
      'a fresh sample marks nothing',
    );
    await rollupRecent(db, '5m', now);
    await rollupRecent(db, '1h', now);
    t.match(await minerHistory(db, SCOPE, M1, '1h', T0, now), [
      { timeMs: T0 + HOUR, samples: 1, hashrateMhs: 50 },
    ]);

    // A backfill of the first hour arrives now: too old for the 5 min job's window.
    const late = [row(M1, T0 + 5 * MIN, { hashrate_mhs: 10 }), row(M1, T0 + 6 * MIN, { hashrate_mhs: 20 })];
    t.ok(late.every((r) => r.time_ms < now - LATE_AFTER_MS));
    await storeSamples(db, late, now);
    t.same(await db.selectFrom('telemetry_rollup_dirty').select('hour_ms').execute(), [{ hour_ms: T0 }]);
    await rollupRecent(db, '5m', now);
    t.equal(
      (await minerHistory(db, SCOPE, M1, '5m', T0, T0 + HOUR))?.length,
      0,
      'the rolling window misses it',
    );
    t.equal(await rollupDirtyHours(db, now, DEFAULT_RETENTION), 1);
    t.match(await minerHistory(db, SCOPE, M1, '5m', T0, T0 + HOUR), [
      { timeMs: T0 + 5 * MIN, samples: 2, hashrateMhs: 15 },
    ]);
    t.match(await minerHistory(db, SCOPE, M1, '1h', T0, T0 + HOUR), [{ timeMs: T0, samples: 2 }]);
    t.match(await minerHistory(db, SCOPE, M1, '1d', T0, T0 + DAY), [{ timeMs: T0, samples: 3 }]);
    t.same(await db.selectFrom('telemetry_rollup_dirty').selectAll().execute(), [], 'the mark is cleared');
    t.equal(await rollupDirtyHours(db, now, DEFAULT_RETENTION), 0);
  },
);

testEachDialect('a mark made again while its hour is recomputed survives', async (t, db) => {
  await seedFleet(db);
  const now = T0 + DAY;
  await storeSamples(db, [row(M1, T0 + MIN)], now);
  const [mark] = await db.selectFrom('telemetry_rollup_dirty').selectAll().execute();
  await storeSamples(db, [row(M1, T0 + 2 * MIN)], now); // re-marks the same hour
  const { clearDirtyHour } = await import('./repository.js');
  if (mark) await clearDirtyHour(db, mark);
  t.match(await db.selectFrom('telemetry_rollup_dirty').selectAll().execute(), [{ hour_ms: T0, version: 2 }]);
});

testEachDialect('retention deletes exactly what is older than each cutoff, in chunks', async (t, db) => {
  await seedFleet(db);
  const now = T0 + 500 * DAY;
  const rawCut = now - 7 * DAY;
  await storeSamples(db, [row(M1, rawCut - 1), row(M1, rawCut), row(M1, rawCut + 1)], now);
  await storeSamples(
    db,
    Array.from({ length: 7 }, (_, i) => row(M2, rawCut - 1000 - i)),
    now,
  );
  const rollup = (resolution: '5m' | '1h' | '1d', bucket_ms: number) => ({
    resolution,
    agent_id: 'agent-1',
    miner_id: 'm1',
    bucket_ms,
    sample_count: 1,
    online_count: 1,
    hashrate_sum_mhs: 1,
    hashrate_expected_sum_mhs: 1,
    power_sum_w: 0,
    power_count: 0,
    chip_temp_max_dc: null,
    board_temp_max_dc: null,
  });
  await db
    .insertInto('miner_rollup')
    .values([
      rollup('5m', now - 30 * DAY - 1),
      rollup('5m', now - 30 * DAY),
      rollup('1h', now - 400 * DAY - 1),
      rollup('1h', now - 400 * DAY),
      rollup('1d', T0 - 3000 * DAY),
    ])
    .execute();
  const outcome = await applyRetention(db, DEFAULT_RETENTION, now, 3);
  t.same(outcome.deleted, { raw: 8, '5m': 1, '1h': 1, '1d': 0 });
  t.same(
    (await db.selectFrom('miner_sample').select('time_ms').orderBy('time_ms').execute()).map(
      (r) => r.time_ms,
    ),
    [rawCut, rawCut + 1],
    'the sample exactly at the cutoff stays',
  );
  t.same(
    await db.selectFrom('miner_rollup').select(['resolution', 'bucket_ms']).orderBy('bucket_ms').execute(),
    [
      { resolution: '1d', bucket_ms: T0 - 3000 * DAY },
      { resolution: '1h', bucket_ms: now - 400 * DAY },
      { resolution: '5m', bucket_ms: now - 30 * DAY },
    ],
    '1 d is kept forever by default',
  );
  const custom = await applyRetention(db, { raw: 0, '5m': 1, '1h': 1, '1d': 1 }, now);
  t.same(custom.deleted, { raw: 0, '5m': 1, '1h': 1, '1d': 1 }, '0 keeps raw forever');
});

testEachDialect('history is scoped: another tenant or another customer reads nothing', async (t, db) => {
  await seedFleet(db);
  await storeSamples(db, twoHours(), T0 + 2 * HOUR);
  t.equal((await minerHistory(db, SCOPE, M1, 'raw', T0, T0 + HOUR))?.length, 60);
  t.equal(await minerHistory(db, { tenantId: 'tenant-b' }, M1, 'raw', T0, T0 + HOUR), undefined);
  t.ok(await minerHistory(db, { tenantId: TENANT, customerId: 'cust-1' }, M1, '5m', T0, T0 + HOUR));
  t.equal(
    await minerHistory(db, { tenantId: TENANT, customerId: 'cust-1' }, M2, '5m', T0, T0 + HOUR),
    undefined,
  );
  t.equal(
    await minerHistory(db, SCOPE, { agentId: 'agent-1', minerId: 'nope' }, 'raw', T0, T0 + HOUR),
    undefined,
  );
});

testEachDialect('the fleet series sums each miner’s bucket average', async (t, db) => {
  await seedFleet(db);
  await storeSamples(
    db,
    [
      row(M1, T0, { hashrate_mhs: 100, power_w: 1000 }),
      row(M1, T0 + MIN, { hashrate_mhs: 200, power_w: 2000 }),
      row(M2, T0, { hashrate_mhs: 50, power_w: null, status: 'offline' }),
    ],
    T0 + 10 * MIN,
  );
  await rollupRange(db, '5m', T0, T0 + HOUR);
  t.same(await fleetHashrateSeries(db, SCOPE, '5m', T0, T0 + HOUR), [
    { timeMs: T0, miners: 2, onlineMiners: 1, hashrateMhs: 150 + 50, hashrateExpectedMhs: 220, powerW: 1500 },
  ]);
  t.same(await fleetHashrateSeries(db, { tenantId: TENANT, customerId: 'cust-1' }, '5m', T0, T0 + HOUR), [
    { timeMs: T0, miners: 1, onlineMiners: 1, hashrateMhs: 150, hashrateExpectedMhs: 110, powerW: 1500 },
  ]);
  t.same(await fleetHashrateSeries(db, { tenantId: 'tenant-b' }, '5m', T0, T0 + HOUR), []);
});
