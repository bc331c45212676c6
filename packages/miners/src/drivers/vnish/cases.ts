import type { ConformanceCase } from '../../test/recorded.js';

/** Real replies the VNish driver must read exactly (see drivers/conformance.test.ts). */
export const cases: ConformanceCase[] = [
  {
    // Auto-tuning at 88% of its rated 196.5 TH/s: below 90%, so degraded. VNish refuses `version`.
    name: 'VNish 1.2.7 on an Antminer S21 Pro: stats and pools (its DevFee pool dropped)',
    replies: {
      version: 'vnish/rpc/version.json',
      devdetails: 'vnish/rpc/devdetails.json',
      stats: 'vnish/rpc/stats.json',
      pools: 'vnish/rpc/pools.json',
    },
    expected: {
      ip: '10.0.0.1',
      vendor: 'bitmain',
      model: 'Antminer S21 Pro',
      firmware: 'VNish 1.2.7',
      status: 'degraded',
      hashrateMhs: 173_870_940,
      hashrateAvgMhs: 174_374_750,
      hashrateExpectedMhs: 196_517_170,
      boards: [
        { index: 0, hashrateMhs: 60_797_190, boardTempC: 50, chipTempC: 65, chips: 65, chipsExpected: 0 },
        { index: 1, hashrateMhs: 57_766_645, boardTempC: 49, chipTempC: 64, chips: 65, chipsExpected: 0 },
        { index: 2, hashrateMhs: 55_307_100, boardTempC: 49, chipTempC: 64, chips: 65, chipsExpected: 0 },
      ],
      fansRpm: [5850, 5850, 5940, 5940],
      powerW: 2583,
      pools: [
        {
          url: 'stratum.braiins.com:3333',
          user: 'proto_mining_sw_test_s21pro-12g',
          status: 'alive',
          active: true,
          priority: 0,
          accepted: 1599,
          rejected: 9,
          stale: 0,
        },
        {
          url: 'stratum.braiins.com:3333',
          user: 'proto_mining_sw_test_m60s-440',
          status: 'alive',
          active: false,
          priority: 1,
          accepted: 0,
          rejected: 0,
          stale: 0,
        },
      ],
      uptimeS: 4423,
      errors: [],
    },
  },
  {
    // bmminer's `}{` between the stats header and data, repaired by the transport. Only `stats` was recorded, so
    // `pools` is refused here. Chains 6-8 are the S9's three boards; fans sit on slots 5 and 6.
    name: 'VNish 3.8.6 on an Antminer S9: broken stats JSON read after repair',
    replies: { stats: 'vnish/rpc/stats.s9-vnish-3.8.6.invalid.json' },
    expected: {
      ip: '10.0.0.1',
      vendor: 'bitmain',
      model: 'Antminer S9',
      firmware: 'VNish 3.8.6',
      status: 'ok',
      hashrateMhs: 12_795_480,
      hashrateAvgMhs: 12_900_710,
      hashrateExpectedMhs: 12_927_600,
      boards: [
        { index: 5, hashrateMhs: 4_264_480, boardTempC: 65, chipTempC: 80, chips: 63, chipsExpected: 0 },
        { index: 6, hashrateMhs: 4_298_320, boardTempC: 56, chipTempC: 71, chips: 63, chipsExpected: 0 },
        { index: 7, hashrateMhs: 4_232_670, boardTempC: 63, chipTempC: 78, chips: 63, chipsExpected: 0 },
      ],
      fansRpm: [5400, 5880],
      powerW: 1485,
      pools: [],
      uptimeS: 3617,
      errors: [],
    },
  },
];
