import type { ConformanceCase } from '../../test/recorded.js';

const pool = { status: 'alive', active: true, rejected: 0, stale: 0 } as const;
const backup = { status: 'dead', active: false, accepted: 0, rejected: 0, stale: 0 } as const;

/**
 * Real replies the LuxOS driver must read exactly (see drivers/conformance.test.ts): one S19k Pro recorded at one
 * moment, under-clocked to the 290 MHz profile, so it hashes about half its 121.8 TH/s nameplate and is rated
 * (devs Nominal MHS) at what that profile makes.
 */
export const cases: ConformanceCase[] = [
  {
    name: 'LuxOS 2025.4.8 on an Antminer S19k Pro: stats, config, devs, temps, power, pools (two pool groups)',
    replies: {
      version: 'luxos/version.json',
      stats: 'luxos/stats.json',
      config: 'luxos/config.json',
      devs: 'luxos/devs.json',
      temps: 'luxos/temps.json',
      power: 'luxos/power.json',
      pools: 'luxos/pools.json',
    },
    expected: {
      ip: '10.0.0.1',
      vendor: 'bitmain',
      model: 'Antminer S19k Pro',
      firmware: 'LUXminer 2025.4.8.220305-57b389c7',
      hostname: 'UrlacherS19k',
      mac: '62:f7:5e:b7:10:46',
      serial: 'JYZZB0UBDJABF06RB',
      status: 'ok',
      hashrateMhs: 59_756_060,
      hashrateAvgMhs: 56_917_910,
      hashrateExpectedMhs: 61_954_200,
      boards: [
        {
          index: 0,
          hashrateMhs: 19_773_826,
          boardTempC: 47,
          inletTempC: 34,
          outletTempC: 47,
          chips: 77,
          chipsExpected: 0,
          serial: 'JYZZYRSBDJEBI06Z5',
        },
        {
          index: 1,
          hashrateMhs: 19_230_589,
          boardTempC: 47,
          inletTempC: 33,
          outletTempC: 47,
          chips: 77,
          chipsExpected: 0,
          serial: 'JYZZYRSBDJEBI06ZM',
        },
        {
          index: 2,
          hashrateMhs: 20_751_652,
          boardTempC: 47,
          inletTempC: 34,
          outletTempC: 47,
          chips: 77,
          chipsExpected: 0,
          serial: 'JYZZYRSBDJEBI06ZR',
        },
      ],
      fansRpm: [1920, 1920, 2340, 2340],
      powerW: 1051,
      pools: [
        {
          ...pool,
          url: 'stratum+tcp://ca.stratum.braiins.com:3333',
          user: 'asic-rs.user1',
          priority: 0,
          accepted: 724,
        },
        { ...backup, url: 'stratum+tcp://stratum.braiins.com:3333', user: 'asic-rs.user1', priority: 1 },
        {
          ...pool,
          url: 'stratum+tcp://ca.stratum.braiins.com:3333',
          user: 'asic-rs.user2',
          priority: 2,
          accepted: 759,
          rejected: 1,
        },
        { ...backup, url: 'stratum+tcp://stratum.braiins.com:3333', user: 'asic-rs.user2', priority: 3 },
      ],
      uptimeS: 3453,
      errors: [],
    },
  },
];
