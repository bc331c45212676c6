import t from 'tap';
import type { Reading } from '../../reading.js';
import { minerStatus } from './status.js';

const board = (extra: Partial<Reading['boards'][number]> = {}): Reading['boards'][number] => ({
  index: 0,
  hashrateMhs: 40_000_000,
  chips: 76,
  chipsExpected: 76,
  ...extra,
});
const healthy = {
  hashrateMhs: 120_000_000,
  hashrateExpectedMhs: 120_000_000,
  boards: [board(), board({ index: 1 }), board({ index: 2 })],
  fansRpm: [4000, 4000, 4000, 4000],
};

t.test('a miner hashing at its expected rate is ok', async (t) => {
  t.equal(minerStatus(healthy, { sleeping: false, fansExpected: 4, hotC: 90 }), 'ok');
  t.equal(minerStatus({ ...healthy, hashrateMhs: 108_000_000 }, { sleeping: false }), 'ok', 'exactly 90%');
  t.equal(minerStatus({ ...healthy, hashrateExpectedMhs: 0 }, { sleeping: false }), 'ok', 'no expectation');
});

t.test('sleeping wins over everything, offline is reachable but not hashing', async (t) => {
  t.equal(minerStatus({ ...healthy, hashrateMhs: 0 }, { sleeping: true }), 'sleeping');
  t.equal(minerStatus(healthy, { sleeping: true }), 'sleeping', 'still ramping down');
  t.equal(minerStatus({ ...healthy, hashrateMhs: 0 }, { sleeping: false }), 'offline');
});

t.test('each degraded condition on its own', async (t) => {
  const cases: Array<[string, Parameters<typeof minerStatus>]> = [
    ['below 90% of expected', [{ ...healthy, hashrateMhs: 107_999_999 }, { sleeping: false }]],
    ['a dead board', [{ ...healthy, boards: [board(), board({ hashrateMhs: 0 })] }, { sleeping: false }]],
    ['missing chips', [{ ...healthy, boards: [board({ chips: 75 })] }, { sleeping: false }]],
    [
      'a hot board',
      [
        { ...healthy, boards: [board({ boardTempC: 90 })] },
        { sleeping: false, hotC: 90 },
      ],
    ],
    [
      'a hot chip',
      [
        { ...healthy, boards: [board({ chipTempC: 95 })] },
        { sleeping: false, hotC: 90 },
      ],
    ],
    [
      'a stopped fan',
      [
        { ...healthy, fansRpm: [4000, 4000, 4000] },
        { sleeping: false, fansExpected: 4 },
      ],
    ],
  ];
  for (const [name, args] of cases) t.equal(minerStatus(...args), 'degraded', name);
});

t.test('what the firmware does not report is not judged', async (t) => {
  const unknownChips = { ...healthy, boards: [board({ chips: 60, chipsExpected: 0, boardTempC: 120 })] };
  t.equal(minerStatus(unknownChips, { sleeping: false }), 'ok', 'no expected chips, no hot limit');
  t.equal(minerStatus({ ...healthy, fansRpm: [] }, { sleeping: false }), 'ok', 'no fan count');
});
