import type { ConformanceCase } from '../../test/recorded.js';

// Worked out by hand from hiveon/stats.s9.invalid.json (GH/s x 1000; chains 6-8 are boards 5-7; `temp` is the
// PCB, `temp2_` the chips). Hiveon's chain_power values ("34.65 (AB)") have no stated unit: no power reported.

/** Real replies the Hiveon driver must read exactly (see drivers/conformance.test.ts). */
export const cases: ConformanceCase[] = [
  {
    name: 'S9 Hiveon: "}{" stats repaired, model without the Hiveon suffix (pools not recorded)',
    replies: { version: 'hiveon/version.s9.json', stats: 'hiveon/stats.s9.invalid.json' },
    expected: {
      ip: '10.0.0.1',
      vendor: 'bitmain',
      model: 'Antminer S9',
      firmware: 'Hiveon BMMiner 2.0.0 rwglr',
      status: 'ok',
      hashrateMhs: 11_781_400,
      hashrateAvgMhs: 11_609_550,
      hashrateExpectedMhs: 11_850_300,
      boards: [
        { index: 5, hashrateMhs: 3_911_640, boardTempC: 59, chipTempC: 74, chips: 63, chipsExpected: 63 },
        { index: 6, hashrateMhs: 3_913_700, boardTempC: 50, chipTempC: 65, chips: 63, chipsExpected: 63 },
        { index: 7, hashrateMhs: 3_956_050, boardTempC: 57, chipTempC: 72, chips: 63, chipsExpected: 63 },
      ],
      fansRpm: [3840, 4920],
      pools: [],
      uptimeS: 69,
      errors: [],
    },
  },
];
