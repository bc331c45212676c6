import type { ConformanceCase } from '../../test/recorded.js';

/** Real replies the generic driver must read exactly (see drivers/conformance.test.ts). */
export const cases: ConformanceCase[] = [
  {
    name: 'cgminer 4.10 fork: JSON summary and devs, text-only pools refused',
    replies: { summary: 'cgminer/summary.json', devs: 'cgminer/devs.json' },
    expected: {
      ip: '10.0.0.1',
      vendor: 'unknown',
      model: 'unknown',
      firmware: 'cgminer 4.10.0',
      status: 'ok',
      hashrateMhs: 357,
      hashrateAvgMhs: 336,
      hashrateExpectedMhs: 0,
      boards: [
        { index: 0, hashrateMhs: 68, chipTempC: 32, chips: 0, chipsExpected: 0 },
        { index: 1, hashrateMhs: 82, chipTempC: 32, chips: 0, chipsExpected: 0 },
        { index: 2, hashrateMhs: 91, chipTempC: 32, chips: 0, chipsExpected: 0 },
        { index: 3, hashrateMhs: 90, chipTempC: 32, chips: 0, chipsExpected: 0 },
      ],
      fansRpm: [],
      pools: [],
      uptimeS: 48_417,
      errors: [],
    },
  },
  {
    name: 'cgminer 4.10 fork whose devs lists per-chip share counters only: no board rates, the rest read',
    replies: { summary: 'cgminer/summary.json', devs: 'cgminer/devs.chipstat.json' },
    expected: {
      ip: '10.0.0.1',
      vendor: 'unknown',
      model: 'unknown',
      firmware: 'cgminer 4.10.0',
      status: 'ok',
      hashrateMhs: 357,
      hashrateAvgMhs: 336,
      hashrateExpectedMhs: 0,
      boards: [],
      fansRpm: [],
      pools: [],
      uptimeS: 48_417,
      errors: [],
    },
  },
];
