import type { ConformanceCase } from '../../test/recorded.js';

// Worked out by hand from asicseer/stats.s9.json (GH/s x 1000; chains 6-8 are boards 5-7; `temp` is the PCB,
// `temp2_` the chips; the empty slots say "0.00000" but have no chips).

/** Real replies the asicseer driver must read exactly (see drivers/conformance.test.ts). */
export const cases: ConformanceCase[] = [
  {
    name: 'S9 asicseer 1.1.9: stock stats plus its hostname (version and pools not recorded)',
    replies: { stats: 'asicseer/stats.s9.json' },
    expected: {
      ip: '10.0.0.1',
      vendor: 'bitmain',
      model: 'Antminer S9',
      firmware: 'BMMiner 2.4.0-asicseer-1.1.9-f7b7',
      hostname: 'dcc9a2',
      serial: 'dcc9a2',
      status: 'ok',
      hashrateMhs: 13_402_140,
      hashrateAvgMhs: 12_743_340,
      hashrateExpectedMhs: 13_466_250,
      boards: [
        { index: 5, hashrateMhs: 4_467_650, boardTempC: 57, chipTempC: 87, chips: 63, chipsExpected: 63 },
        { index: 6, hashrateMhs: 4_431_330, boardTempC: 49, chipTempC: 74, chips: 63, chipsExpected: 63 },
        { index: 7, hashrateMhs: 4_503_150, boardTempC: 56, chipTempC: 86, chips: 63, chipsExpected: 63 },
      ],
      fansRpm: [2880, 3840],
      pools: [],
      uptimeS: 102,
      errors: [],
    },
  },
];
