import t from 'tap';
import { healthOf } from './health.js';
import type { AntminerBoard, AntminerStats } from './stats.js';

const board = (index: number, rateMhs: number, chips = 114, extra: Partial<AntminerBoard> = {}) => ({
  index,
  rateMhs,
  chips,
  chipsExpected: 114,
  ...extra,
});

const hashing: AntminerStats = {
  model: 'Antminer S19 Pro',
  firmware: 'BMMiner 1.0.0',
  rateMhs: 110_000_000,
  rateAvgMhs: 110_000_000,
  uptimeS: 1000,
  mode: 2,
  boards: [board(0, 36_000_000), board(1, 37_000_000), board(2, 37_000_000)],
  fansRpm: [6000, 6000, 6000, 6000],
  data: {},
};
const expected = 110_000_000;

t.test('hashing as expected is ok', async (t) => {
  t.same(healthOf(hashing, expected), { status: 'ok', errors: [] });
  t.same(healthOf({ ...hashing, rateMhs: 0.14 }, 0), { status: 'ok', errors: [] }, 'a Z11 below 1 MH/s');
});

t.test('degraded: a dead board, failed chips, a hot chip, a stopped fan, low hashrate', async (t) => {
  const deadBoard = { ...hashing, boards: [board(0, 0, 0), board(1, 37e6), board(2, 37e6)] };
  t.same(healthOf({ ...deadBoard, rateMhs: 100e6 }, expected), {
    status: 'degraded',
    errors: [{ code: 'BOARD_DEAD', message: 'board 0 makes no hashrate' }],
  });
  const failedChips = { ...hashing, boards: [board(0, 36e6, 110), board(1, 37e6), board(2, 37e6)] };
  t.same(healthOf(failedChips, expected), {
    status: 'degraded',
    errors: [{ code: 'CHIPS_FAILED', message: 'board 0: 110 of 114 chips hashing' }],
  });
  const hot = {
    ...hashing,
    boards: [board(0, 36e6, 114, { chipTempC: 95 }), board(1, 37e6), board(2, 37e6)],
  };
  t.same(healthOf(hot, expected), {
    status: 'degraded',
    errors: [{ code: 'TEMP_HIGH', message: 'board 0: 95 °C' }],
  });
  t.same(healthOf({ ...hashing, fansExpected: 4, fansRpm: [6000, 6000, 6000] }, expected), {
    status: 'degraded',
    errors: [{ code: 'FAN_STOPPED', message: '3 of 4 fans spinning' }],
  });
  t.same(healthOf({ ...hashing, rateMhs: 98_900_000 }, expected), {
    status: 'degraded',
    errors: [{ code: 'HASHRATE_LOW', message: 'hashing at 89% of the expected hashrate' }],
  });
  t.equal(healthOf({ ...hashing, rateMhs: 99_000_000 }, expected).status, 'ok', '90% is enough');
});

t.test('offline: 0 hashrate now and not asleep', async (t) => {
  const idle = {
    ...hashing,
    rateMhs: 0,
    boards: hashing.boards.map((b) => ({ ...b, rateMhs: 0, chips: 0 })),
  };
  t.same(healthOf({ ...idle, rateAvgMhs: 90e6 }, expected), { status: 'offline', errors: [] }, 'was hashing');
  const hot = { ...idle, rateAvgMhs: 90e6, boards: [{ ...board(0, 0, 0), boardTempC: 91, chipTempC: 96 }] };
  t.same(healthOf(hot, expected), {
    status: 'offline',
    errors: [{ code: 'TEMP_HIGH', message: 'board 0: 96 °C' }],
  });
  const { mode: _, ...noMode } = idle;
  t.equal(healthOf({ ...noMode, rateAvgMhs: 0 }, expected).status, 'offline', 'an S9 has no sleep mode');
  const booting = { ...idle, rateAvgMhs: 0, boards: hashing.boards.map((b) => ({ ...b, rateMhs: 0 })) };
  t.equal(healthOf(booting, expected).status, 'offline', 'X19 with hashing chips is not asleep');
  t.equal(healthOf({ ...idle, rateAvgMhs: 0, boards: [] }, expected).status, 'offline', 'no board found');
});

t.test('sleeping: X17 mode 254, or an idle X19', async (t) => {
  t.same(healthOf({ ...hashing, mode: 254, rateMhs: 0, rateAvgMhs: 0, boards: [] }, 0), {
    status: 'sleeping',
    errors: [],
  });
  const boards = hashing.boards.map((b) => ({ ...b, rateMhs: 0, chips: 0 }));
  t.same(healthOf({ ...hashing, rateMhs: 0, rateAvgMhs: 0, boards }, expected), {
    status: 'sleeping',
    errors: [],
  });
});
