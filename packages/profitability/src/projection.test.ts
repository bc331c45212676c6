import t from 'tap';
import { calculate } from './calculate.js';
import { expectedBtcPerDay } from './network.js';
import { epochGrowthPercentFromMonthly, type ProjectionInput, project } from './projection.js';
import { near, refuses } from './test-helpers.js';

// Height 927,360 = 460 · 2016 starts an epoch, well inside the 3.125 BTC era.
const EPOCH_START = 460 * 2016;
const FLEET: ProjectionInput = {
  hashrateTh: 200,
  powerW: 3500,
  quantity: 4,
  difficulty: 1.5e14,
  btcUsd: 90_000,
  electricityUsdPerKwh: 0.05,
  blockHeight: EPOCH_START,
  avgFeesPerBlockBtc: 0.03,
  poolFeePercent: 2,
  hostingUsdPerUnitMonth: 12,
  hardwareCostUsd: 1000,
  days: 60,
};

t.test('a constant world repeats the static calculation every day', async (t) => {
  const p = project(FLEET);
  const single = calculate({ ...FLEET, days: undefined } as unknown as Parameters<typeof calculate>[0]);
  t.equal(p.days.length, 60);
  t.equal(p.days[0]!.profitUsd, single.dailyProfitUsd, 'day 1 is the static figure bit for bit');
  t.equal(p.days[0]!.btcMined, single.btcPerDay);
  for (const day of p.days) near(t, day.profitUsd, single.dailyProfitUsd, 1e-12, `day ${day.day}`);
  near(t, p.totals.profitUsd, single.dailyProfitUsd * 60, 1e-12, 'total');
  t.equal(p.days[1]!.startHeight, EPOCH_START + 144);
  t.same(p.halvings, []);
  t.equal(p.totals.daysRunning, 60);
});

t.test('hours per day carry into the projection', async (t) => {
  const half = project({ ...FLEET, hoursPerDay: 12, days: 3 });
  const single = calculate({ ...FLEET, hoursPerDay: 12, days: undefined } as unknown as Parameters<
    typeof calculate
  >[0]);
  t.equal(half.days[0]!.profitUsd, single.dailyProfitUsd, 'day 1 equals the static figure');
  t.equal(half.inputs.hoursPerDay, 12);
});

t.test('difficulty steps at each 2016-block retarget, not each 14 days from the start', async (t) => {
  const grown = project({ ...FLEET, difficultyGrowthPercentPerEpoch: 10, days: 30 });
  t.equal(grown.days[13]!.difficulty, 1.5e14, 'day 14 is still the first epoch');
  near(t, grown.days[14]!.difficulty, 1.65e14, 1e-15, 'day 15 starts epoch 2 at +10 %');
  near(t, grown.days[28]!.difficulty, 1.815e14, 1e-15, 'day 29 starts epoch 3');
  near(t, grown.days[14]!.btcMined, grown.days[0]!.btcMined / 1.1, 1e-12, 'BTC falls with difficulty');

  // Three days before the end of an epoch: day 4 already mines at the new difficulty.
  const late = project({
    ...FLEET,
    blockHeight: EPOCH_START + 2016 - 3 * 144,
    difficultyGrowthPercentPerEpoch: 10,
  });
  t.equal(late.days[2]!.difficulty, 1.5e14);
  near(t, late.days[3]!.difficulty, 1.65e14, 1e-15, 'day 4');

  // A day that straddles a retarget earns the block-weighted mix of both difficulties.
  const straddle = project({
    ...FLEET,
    blockHeight: EPOCH_START + 2016 - 44,
    difficultyGrowthPercentPerEpoch: 10,
    days: 1,
  });
  const perDay = (d: number) => expectedBtcPerDay(800e12, d, 3.155) * 0.98;
  near(
    t,
    straddle.days[0]!.btcMined,
    perDay(1.5e14) * (44 / 144) + perDay(1.65e14) * (100 / 144),
    1e-12,
    'mix',
  );
});

t.test('nextDifficulty sets the next epoch and growth continues from it', async (t) => {
  const p = project({ ...FLEET, nextDifficulty: 1.6e14, difficultyGrowthPercentPerEpoch: 5, days: 45 });
  t.equal(p.days[14]!.difficulty, 1.6e14);
  near(t, p.days[28]!.difficulty, 1.68e14, 1e-15, 'then +5 %');
  t.equal(p.inputs.nextDifficulty, 1.6e14);
});

t.test('halvings land on their block inside a day', async (t) => {
  const p = project({ ...FLEET, blockHeight: 1_050_000 - 100, days: 3 });
  t.same(p.halvings, [{ day: 1, height: 1_050_000 }]);
  const fees = 0.03;
  const perDay = (subsidy: number) => expectedBtcPerDay(800e12, 1.5e14, subsidy + fees) * 0.98;
  near(
    t,
    p.days[0]!.btcMined,
    perDay(3.125) * (100 / 144) + perDay(1.5625) * (44 / 144),
    1e-12,
    'day 1 split',
  );
  t.equal(p.days[0]!.blockSubsidyBtc, 3.125);
  t.equal(p.days[1]!.blockSubsidyBtc, 1.5625);
  near(t, p.days[1]!.btcMined, perDay(1.5625), 1e-12, 'day 2 all in the new era');

  // PPS pays the subsidy only, so the halving halves it exactly.
  const pps = project({ ...FLEET, payoutScheme: 'PPS', blockHeight: 1_050_000, days: 1 });
  const ppsBefore = project({ ...FLEET, payoutScheme: 'PPS', blockHeight: 1_050_000 - 144, days: 1 });
  near(t, pps.days[0]!.btcMined, ppsBefore.days[0]!.btcMined / 2, 1e-12, 'PPS halves');
});

t.test('into the fee-only era', async (t) => {
  const p = project({ ...FLEET, blockHeight: 6_930_000 - 10, days: 2 });
  t.same(p.halvings, [{ day: 1, height: 6_930_000 }]);
  t.equal(p.days[1]!.blockSubsidyBtc, 0);
  near(t, p.days[1]!.btcMined, expectedBtcPerDay(800e12, 1.5e14, 0.03) * 0.98, 1e-12, 'fees only');
  const pps = project({ ...FLEET, payoutScheme: 'PPS', blockHeight: 6_930_000, days: 1 });
  t.equal(pps.days[0]!.btcMined, 0, 'PPS credits nothing without a subsidy');
  // Far past the last height a single calculation accepts, projections still run from a valid start.
  const far = project({ ...FLEET, blockHeight: 1_000_000_000, days: 10 });
  t.equal(far.days[9]!.blockSubsidyBtc, 0);
});

t.test('switching off on losing days', async (t) => {
  // +8 % per epoch: revenue falls below electricity after some epochs; hosting stays owed.
  const base = { ...FLEET, electricityUsdPerKwh: 0.08, difficultyGrowthPercentPerEpoch: 8, days: 365 };
  const always = project(base);
  const smart = project({ ...base, switchOffWhenUnprofitable: true });
  const losing = always.days.filter((d) => d.revenueUsd < d.electricityCostUsd);
  t.ok(losing.length > 0 && losing.length < 365, `${losing.length} losing days`);
  t.equal(smart.totals.daysRunning, 365 - losing.length);
  for (const day of smart.days) {
    if (day.running) continue;
    t.equal(day.revenueUsd, 0);
    t.equal(day.electricityCostUsd, 0);
    t.equal(day.btcMined, 0);
    near(t, day.profitUsd, -(12 * 4) / 30, 1e-12, `day ${day.day} still owes hosting`);
  }
  t.ok(smart.totals.profitUsd > always.totals.profitUsd, 'the option is worth something');
  t.ok(smart.npvUsd > always.npvUsd);
  t.equal(smart.days[0]!.running, true);
  t.ok(
    always.days.every((d) => d.running),
    'without the option machines always run',
  );
});

t.test('NPV and payback', async (t) => {
  const p = project({ ...FLEET, discountRatePercentPerYear: 12, days: 730 });
  const daily = p.days[0]!.profitUsd;
  const v = 1.12 ** (-1 / 365);
  const closedForm = (daily * v * (1 - v ** 730)) / (1 - v) - 4000;
  near(t, p.npvUsd, closedForm, 1e-9, 'constant profit discounted daily = annuity');
  near(t, p.days[364]!.discountedProfitUsd, daily / 1.12, 1e-12, 'day 365 is discounted one full year');

  const undiscounted = project({ ...FLEET, days: 730 });
  near(t, undiscounted.npvUsd, undiscounted.totals.profitUsd - 4000, 1e-12, 'r = 0: profit − capex');
  t.equal(
    undiscounted.paybackDay,
    Math.ceil(4000 / daily),
    'payback on the day cumulative profit covers capex',
  );
  t.ok(undiscounted.days[undiscounted.paybackDay! - 1]!.cumulativeProfitUsd >= 4000);
  t.ok(undiscounted.days[undiscounted.paybackDay! - 2]!.cumulativeProfitUsd < 4000);

  t.equal(project({ ...FLEET, days: 10 }).paybackDay, null, 'not within the horizon');
  t.equal(project({ ...FLEET, hardwareCostUsd: 0 }).paybackDay, 0, 'nothing to pay back');
  t.equal(project({ ...FLEET, electricityUsdPerKwh: 5, days: 3650 }).paybackDay, null, 'never');
});

t.test('BTC price change compounds per 30 days', async (t) => {
  const p = project({ ...FLEET, btcUsdChangePercentPerMonth: 10, days: 61 });
  t.equal(p.days[0]!.btcUsd, 90_000);
  near(t, p.days[30]!.btcUsd, 99_000, 1e-12, 'day 31');
  near(t, p.days[60]!.btcUsd, 108_900, 1e-12, 'day 61');
});

t.test('monthly difficulty growth to per-epoch growth', async (t) => {
  // ../shared/reference/profitability.md beside the repository (derived there): 5 %/month → 2.27 %/epoch with g = (1+m)^(14/30.42) − 1.
  t.equal(Number(epochGrowthPercentFromMonthly(5).toFixed(2)), 2.27);
  t.equal(epochGrowthPercentFromMonthly(0), 0);
  // Compounding the epoch rate over a 365/12-day month gives the monthly rate back.
  near(t, (1 + epochGrowthPercentFromMonthly(6) / 100) ** (365 / 12 / 14), 1.06, 1e-12, 'round trip');
  refuses(t, () => epochGrowthPercentFromMonthly(-100), 'difficultyGrowthPercentPerMonth', '−100 %');
  refuses(t, () => epochGrowthPercentFromMonthly(Number.NaN), 'difficultyGrowthPercentPerMonth', 'NaN');
});

t.test('extremes stay finite and difficulty never drops below 1', async (t) => {
  const up = project({ ...FLEET, difficulty: 1e30, difficultyGrowthPercentPerEpoch: 300, days: 3650 });
  const down = project({
    ...FLEET,
    difficultyGrowthPercentPerEpoch: -75,
    days: 3650,
    btcUsdChangePercentPerMonth: 1000,
    discountRatePercentPerYear: 1000,
  });
  for (const p of [up, down]) {
    t.ok(Number.isFinite(p.npvUsd), `npv ${p.npvUsd}`);
    t.ok(
      p.days.every((d) => Number.isFinite(d.profitUsd) && Number.isFinite(d.difficulty)),
      'every day finite',
    );
  }
  t.equal(down.days[3649]!.difficulty, 1);
});

t.test('hostile projection inputs', async (t) => {
  const bad: [string, unknown][] = [
    ['days', 0],
    ['days', 3651],
    ['days', 1.5],
    ['days', undefined],
    ['days', Number.NaN],
    ['difficultyGrowthPercentPerEpoch', -76],
    ['difficultyGrowthPercentPerEpoch', 301],
    ['difficultyGrowthPercentPerEpoch', Number.POSITIVE_INFINITY],
    ['nextDifficulty', 0],
    ['nextDifficulty', -1],
    ['btcUsdChangePercentPerMonth', -100],
    ['btcUsdChangePercentPerMonth', 1e6],
    ['switchOffWhenUnprofitable', 'yes'],
    ['discountRatePercentPerYear', -1],
    ['discountRatePercentPerYear', Number.NaN],
    ['blockHeight', undefined],
    ['blockHeight', -5],
    ['difficulty', 0],
  ];
  for (const [field, value] of bad) {
    refuses(
      t,
      () => project({ ...FLEET, [field]: value } as ProjectionInput),
      field,
      `${field} = ${String(value)}`,
    );
  }
  refuses(
    t,
    () => project({ ...FLEET, blockSubsidyBtc: 3.125 } as unknown as ProjectionInput),
    'blockSubsidyBtc',
    'a subsidy override',
  );
  refuses(t, () => project(null as unknown as ProjectionInput), 'input', 'null');
  refuses(t, () => project({ ...FLEET, growth: 5 } as ProjectionInput), 'growth', 'a misspelt input');
});
