import type { ConformanceCase } from '../../test/recorded.js';

// Real replies the Whatsminer driver must read exactly (see drivers/conformance.test.ts). The corpus has no
// `devdetails` of these units, so their model is unknown and `devdetails` is refused like cgminer refuses it.

const m31sBoard = { boardTempC: 79.5, chips: 215, chipsExpected: 0, serial: 'xxx' };
const v1Board = { chips: 105, chipsExpected: 0 };
const v1Pool = { user: 'asic-rs.test', status: 'alive', accepted: 0, rejected: 0, stale: 0 } as const;

export const cases: ConformanceCase[] = [
  {
    name: 'M31S, btminer 20210109 (API v2): hashing, two current error codes, `edevs` answering for `devs`',
    // edevs lists the enabled boards with the fields of devs; all three are enabled here, so it is the devs reply.
    replies: {
      summary: 'whatsminer/summary.m31s.json',
      devs: 'whatsminer/edevs.m31s.json',
      pools: 'whatsminer/pools.m31s.json',
    },
    expected: {
      ip: '10.0.0.1',
      vendor: 'microbt',
      model: 'unknown',
      firmware: '20210109.22.REL',
      mac: 'c4:05:09:00:02:9b',
      status: 'ok',
      hashrateMhs: 116_472_006,
      hashrateExpectedMhs: 100_999_000,
      boards: [
        { index: 0, hashrateMhs: 31_120_846, ...m31sBoard, chipTempC: 94.95 },
        { index: 1, hashrateMhs: 33_993_449, ...m31sBoard, boardTempC: 80, chipTempC: 94.9 },
        { index: 2, hashrateMhs: 34_677_087, ...m31sBoard, chipTempC: 92.9 },
      ],
      fansRpm: [3870, 3930],
      hashrateAvgMhs: 99_793_647,
      powerW: 3496,
      pools: [
        {
          url: 'stratum+tcp://btc.luxor.tech:700',
          user: 'xxx',
          status: 'alive',
          active: true,
          priority: 0,
          accepted: 457_459,
          rejected: 518,
          stale: 95,
        },
      ],
      uptimeS: 1_216_997,
      errors: [
        { code: '206', message: 'Whatsminer error code 206' },
        { code: '2320', message: 'Whatsminer error code 2320' },
      ],
    },
  },
  {
    name: 'API v1 unit (cgminer 4.9.2-based btminer 20210322): hashing, three pools, no errors',
    replies: {
      summary: 'whatsminer/summary.v1.json',
      devs: 'whatsminer/devs.v1.json',
      pools: 'whatsminer/pools.v1.json',
    },
    expected: {
      ip: '10.0.0.1',
      vendor: 'microbt',
      model: 'unknown',
      firmware: '20210322.22.REL',
      mac: 'c4:08:28:00:a4:19',
      status: 'ok',
      hashrateMhs: 70_668_115,
      hashrateExpectedMhs: 68_796_000,
      boards: [
        {
          index: 0,
          hashrateMhs: 20_053_439,
          boardTempC: 70,
          chipTempC: 90,
          ...v1Board,
          serial: 'H5M14S69129A17K10095',
        },
        {
          index: 1,
          hashrateMhs: 25_567_318,
          boardTempC: 69.5,
          chipTempC: 90.11,
          ...v1Board,
          serial: 'H5M14S69129A17K10058',
        },
        {
          index: 2,
          hashrateMhs: 24_351_292,
          boardTempC: 71.5,
          chipTempC: 92.5,
          ...v1Board,
          serial: 'H5M14S69129A17K10002',
        },
      ],
      fansRpm: [6450, 6480],
      hashrateAvgMhs: 67_753_251,
      powerW: 3417,
      pools: [
        { ...v1Pool, url: 'stratum+tcp://btc.example.pool:3333', active: true, priority: 0, accepted: 2338 },
        { ...v1Pool, url: 'stratum+tcp://btc2.example.pool:3333', active: false, priority: 1 },
        { ...v1Pool, url: 'stratum+tcp://btc3.example.pool:3333', active: false, priority: 2 },
      ],
      uptimeS: 10_154,
      errors: [],
    },
  },
  {
    name: 'M31S put to sleep (power_off): btminer answers only `status`, btmineroff "true"',
    replies: { status: 'whatsminer/status.sleeping.json' },
    expected: {
      ip: '10.0.0.1',
      vendor: 'microbt',
      model: 'unknown',
      firmware: '20210109.22.REL',
      status: 'sleeping',
      hashrateMhs: 0,
      hashrateExpectedMhs: 0,
      boards: [],
      fansRpm: [],
      hashrateAvgMhs: 0,
      pools: [],
      uptimeS: 0,
      errors: [],
    },
  },
];
