import type { ConformanceCase } from '../../test/recorded.js';

// Real replies the Avalon driver must read exactly (see drivers/conformance.test.ts). The A10xx replies are one
// multi-command reply in the corpus: avalon-cgminer.test.ts splits them into the per-command replies this driver
// asks for, so they are tested there rather than here.

const a1566Pool = {
  user: 'pool_username.real_worker',
  status: 'alive',
  accepted: 0,
  rejected: 0,
  stale: 0,
} as const;

export const cases: ConformanceCase[] = [
  {
    name: 'AvalonMiner 15-194, fw 24102401: hashing, version/stats/pools',
    replies: {
      version: 'avalon/version.a1566.json',
      stats: 'avalon/stats.a1566.json',
      pools: 'avalon/pools.a1566.json',
    },
    expected: {
      ip: '10.0.0.1',
      vendor: 'canaan',
      model: 'AvalonMiner 15-194',
      firmware: '24102401_25462b2_9ddf522',
      mac: '12:34:56:78:90:12',
      status: 'ok',
      hashrateMhs: 199_241_070,
      hashrateExpectedMhs: 201_920_420,
      boards: [
        { index: 0, hashrateMhs: 59_459_520, chipTempC: 77, chips: 160, chipsExpected: 160 },
        { index: 1, hashrateMhs: 61_407_830, chipTempC: 78, chips: 160, chipsExpected: 160 },
        { index: 2, hashrateMhs: 63_139_660, chipTempC: 77, chips: 160, chipsExpected: 160 },
      ],
      fansRpm: [4275, 4282],
      hashrateAvgMhs: 184_007_000,
      powerW: 3731,
      pools: [
        {
          ...a1566Pool,
          url: 'stratum+tcp://stratum.pool.io:3333',
          active: true,
          priority: 0,
          accepted: 148,
          rejected: 1,
        },
        { ...a1566Pool, url: 'stratum+tcp://stratum.pool.io:3334', active: false, priority: 1 },
        { ...a1566Pool, url: 'stratum+tcp://stratum.pool.io:3335', active: false, priority: 2 },
      ],
      uptimeS: 975,
      errors: [],
    },
  },
  {
    name: 'AvalonMiner 1246-83 (MM 21072802): only `stats` recorded; power from PS, firmware from the MM',
    replies: { stats: 'avalon/stats.a1246.json' },
    expected: {
      ip: '10.0.0.1',
      vendor: 'canaan',
      model: 'unknown',
      firmware: '1246-83-21072802_4ec6bb0_211fc46',
      status: 'ok',
      hashrateMhs: 81_072_680,
      hashrateExpectedMhs: 83_923_040,
      boards: [
        { index: 0, hashrateMhs: 26_907_010, chipTempC: 77, chips: 120, chipsExpected: 120 },
        { index: 1, hashrateMhs: 26_025_060, chipTempC: 77, chips: 120, chipsExpected: 120 },
        { index: 2, hashrateMhs: 26_724_560, chipTempC: 76, chips: 120, chipsExpected: 120 },
      ],
      fansRpm: [5344, 5392, 5349, 5309],
      hashrateAvgMhs: 79_656_630,
      powerW: 3504,
      pools: [],
      uptimeS: 24_684,
      errors: [],
    },
  },
  {
    name: 'Avalon Q, fw 25052801: soft-off (SoftOFF[4]), fans stopped, hashboard inlet/outlet',
    replies: {
      version: 'avalon/version.avalon-q.json',
      stats: 'avalon/stats.avalon-q.json',
      pools: 'avalon/pools.avalon-q.json',
    },
    expected: {
      ip: '10.0.0.1',
      vendor: 'canaan',
      model: 'Avalon Q',
      firmware: '25052801_14a19a2',
      mac: 'aa:bb:cc:dd:ee:ff',
      status: 'sleeping',
      hashrateMhs: 0,
      hashrateExpectedMhs: 55_032_790,
      boards: [
        {
          index: 0,
          hashrateMhs: 44_499_410,
          inletTempC: 27,
          outletTempC: 27,
          chips: 160,
          chipsExpected: 160,
        },
      ],
      fansRpm: [],
      hashrateAvgMhs: 44_499_410,
      powerW: 146,
      pools: [
        {
          url: 'stratum+tcp://pool.example.com:4444',
          user: 'worker1',
          status: 'alive',
          active: true,
          priority: 0,
          accepted: 890,
          rejected: 2,
          stale: 0,
        },
      ],
      uptimeS: 37_819,
      errors: [],
    },
  },
];
