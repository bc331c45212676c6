import type { ConformanceCase } from '../../test/recorded.js';

/**
 * Real replies the Braiins OS driver must read exactly (see drivers/conformance.test.ts). All are BOS+ on an
 * Antminer S9 (hash chains 6-8); `devs` is from a second S9 (0.4.0) and devdetails, tunerstatus and tempctrl are
 * the BOS+ documentation's examples, so the boards' sum is not the summary total.
 */
export const cases: ConformanceCase[] = [
  {
    name: 'BOS+ 0.2.0 on an Antminer S9: summary, devs, devdetails, temps, fans, tunerstatus, tempctrl, pools',
    replies: {
      version: 'braiins/version.bosplus.json',
      summary: 'braiins/summary.bosplus.json',
      devs: 'braiins/devs.bosplus.json',
      devdetails: 'braiins/devdetails.bosplus-docs.json',
      temps: 'braiins/temps.bosplus.json',
      fans: 'braiins/fans.bosplus.json',
      tunerstatus: 'braiins/tunerstatus.bosplus-docs.json',
      tempctrl: 'braiins/tempctrl.bosplus-docs.json',
      pools: 'braiins/pools.bosplus.json',
    },
    expected: {
      ip: '10.0.0.1',
      vendor: 'bitmain',
      model: 'Antminer S9',
      firmware: 'BOSminer+ 0.2.0-36c56a9363',
      status: 'ok',
      hashrateMhs: 15_740_916,
      hashrateAvgMhs: 11_988_300,
      hashrateExpectedMhs: 14_004_900,
      boards: [
        { index: 0, hashrateMhs: 4_683_071, boardTempC: 75, chips: 63, chipsExpected: 0 },
        { index: 1, hashrateMhs: 4_687_913, boardTempC: 63, chips: 63, chipsExpected: 0 },
        { index: 2, hashrateMhs: 4_213_099, boardTempC: 70, chips: 63, chipsExpected: 0 },
      ],
      fansRpm: [2820, 3780],
      powerW: 1419,
      pools: [
        {
          url: 'stratum+tcp://stratum.antpool.com:3333',
          user: 'antminer_1',
          status: 'alive',
          active: true,
          priority: 0,
          accepted: 152,
          rejected: 0,
          stale: 0,
        },
        {
          url: 'stratum+tcp://stratum.antpool.com:443',
          user: 'antminer_1',
          status: 'alive',
          active: false,
          priority: 1,
          accepted: 0,
          rejected: 0,
          stale: 0,
        },
        {
          url: 'stratum+tcp://stratum.antpool.com:25',
          user: 'antminer_1',
          status: 'alive',
          active: false,
          priority: 2,
          accepted: 0,
          rejected: 0,
          stale: 0,
        },
      ],
      uptimeS: 3680,
      errors: [],
    },
  },
];
