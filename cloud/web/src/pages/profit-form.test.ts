import t from 'tap';
import { axesFrom, axis, btcAxisAround, DEFAULT_POWER_AXIS, MAX_STEPS } from './profit-axes';
import { type CalculatorForm, calculationBody, emptyForm, parseDecimal } from './profit-form';

const form = (changes: Partial<CalculatorForm>): CalculatorForm => ({
  ...emptyForm('antminer-s21'),
  ...changes,
});

t.test('a catalog model: its id, the quantity and price, nothing blank sent', async (t) => {
  t.same(calculationBody(form({ quantity: '10' })), {
    ok: true,
    value: { quantity: 10, electricity_cost: 0.06, miner_model: 'antminer-s21' },
  });
});

t.test('every optional field, trimmed, in the API names', async (t) => {
  const result = calculationBody(
    form({
      electricityCost: ' .045 ',
      poolFeePercent: '2.5',
      payoutScheme: 'PPS+',
      hostingFee: '12',
      hardwareCostUsd: '3200',
      btcPrice: '65000',
      difficulty: '8.5e13',
    }),
  );
  t.same(result, {
    ok: true,
    value: {
      quantity: 1,
      electricity_cost: 0.045,
      miner_model: 'antminer-s21',
      pool_fee_percent: 2.5,
      payout_scheme: 'PPS+',
      hosting_fee: 12,
      hardware_cost_usd: 3200,
      btc_price: 65000,
      difficulty: 8.5e13,
    },
  });
});

t.test('a custom machine needs hashrate and power, and never sends a model', async (t) => {
  t.same(calculationBody(form({ model: '' })), {
    ok: false,
    errors: [
      { field: 'hashrateTh', problem: 'required' },
      { field: 'powerW', problem: 'required' },
    ],
  });
  t.same(calculationBody(form({ model: '', hashrateTh: '200', powerW: '3500' })), {
    ok: true,
    value: { quantity: 1, electricity_cost: 0.06, hashrate_th: 200, power_w: 3500 },
  });
  // Values left in the custom fields while a model is chosen are not sent (the cloud refuses both at once).
  const chosen = calculationBody(form({ hashrateTh: 'junk', powerW: '3500' }));
  t.ok(chosen.ok);
  t.notOk(chosen.ok && 'hashrate_th' in chosen.value);
});

t.test('malformed and hostile text is refused per field, all problems at once', async (t) => {
  const result = calculationBody(
    form({
      quantity: '1.5',
      electricityCost: '',
      poolFeePercent: '101',
      payoutScheme: 'SOLO',
      hostingFee: '-1',
      hardwareCostUsd: '0x10',
      btcPrice: '0',
      difficulty: '1e999',
    }),
  );
  t.same(result, {
    ok: false,
    errors: [
      { field: 'quantity', problem: 'integer' },
      { field: 'electricityCost', problem: 'required' },
      { field: 'poolFeePercent', problem: 'range' },
      { field: 'hostingFee', problem: 'number' },
      { field: 'hardwareCostUsd', problem: 'number' },
      { field: 'btcPrice', problem: 'range' },
      { field: 'difficulty', problem: 'number' },
      { field: 'payoutScheme', problem: 'range' },
    ],
  });
});

t.test('parseDecimal takes plain decimals only', async (t) => {
  for (const [text, value] of [
    ['0', 0],
    ['0.06', 0.06],
    ['.5', 0.5],
    ['5.', 5],
    ['1e3', 1000],
    ['  7 ', 7],
  ] as const)
    t.equal(parseDecimal(text), value, text);
  t.equal(parseDecimal(''), undefined);
  t.equal(parseDecimal('   '), undefined);
  for (const bad of [
    'abc',
    '1,5',
    '-1',
    '+1',
    'Infinity',
    'NaN',
    '0x1f',
    '1e400',
    '1 2',
    '٣',
    `${'9'.repeat(41)}`,
  ])
    t.ok(Number.isNaN(parseDecimal(bad)), bad);
});

t.test('axis: evenly spaced, rounded to the spacing, no repeats', async (t) => {
  t.same(axis(30000, 90000, 7), [30000, 40000, 50000, 60000, 70000, 80000, 90000]);
  t.same(axis(0.02, 0.12, 6), [0.02, 0.04, 0.06, 0.08, 0.1, 0.12]);
  t.same(axis(0.03, 0.1, 3), [0.03, 0.065, 0.1]);
  t.same(axis(1, 1.0000001, 12).length <= 12, true);
});

t.test('btcAxisAround: the price to the thousand in the middle, round thousands apart', async (t) => {
  t.same(btcAxisAround(91_000), { btcFrom: '46000', btcTo: '136000', btcSteps: '7' });
  t.same(axis(46000, 136000, 7), [46000, 61000, 76000, 91000, 106000, 121000, 136000]);
  t.same(btcAxisAround(64_321), { btcFrom: '31000', btcTo: '97000', btcSteps: '7' });
  // A tiny price still gives a valid axis of positive prices.
  t.same(btcAxisAround(100), { btcFrom: '1000', btcTo: '7000', btcSteps: '7' });
  t.same(btcAxisAround(Number.NaN), { btcFrom: '1000', btcTo: '7000', btcSteps: '7' });
});

t.test('axesFrom: both axes, or what is wrong with which field', async (t) => {
  t.same(axesFrom({ ...btcAxisAround(60_000), ...DEFAULT_POWER_AXIS }), {
    ok: true,
    value: {
      btc_prices: [30000, 45000, 60000, 75000, 90000, 105000, 120000]
        .slice(0, 7)
        .map((_, i) => 30000 + i * 10000),
      electricity_prices: [0.02, 0.04, 0.06, 0.08, 0.1, 0.12],
    },
  });
  t.same(
    axesFrom({
      btcFrom: '50000',
      btcTo: '40000',
      btcSteps: String(MAX_STEPS + 1),
      powerFrom: 'x',
      powerTo: '',
      powerSteps: '2.5',
    }),
    {
      ok: false,
      errors: [
        { field: 'btcTo', problem: 'order' },
        { field: 'btcSteps', problem: 'range' },
        { field: 'powerFrom', problem: 'number' },
        { field: 'powerTo', problem: 'required' },
        { field: 'powerSteps', problem: 'integer' },
      ],
    },
  );
  // The same price at both ends is an order problem, not a one-cell axis.
  const flat = axesFrom({
    ...btcAxisAround(60_000),
    ...DEFAULT_POWER_AXIS,
    btcTo: '30000',
    btcFrom: '30000',
  });
  t.same(flat, { ok: false, errors: [{ field: 'btcTo', problem: 'order' }] });
  t.notOk(axesFrom({ ...btcAxisAround(60_000), ...DEFAULT_POWER_AXIS, btcFrom: '0' }).ok, 'BTC at 0');
});
