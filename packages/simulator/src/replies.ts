import { type Sample, SHARE_DIFFICULTY } from './telemetry.js';

/**
 * Reply bodies shaped like a stock Antminer S19 Pro running bmminer (the fixtures in ./fixtures show the real
 * thing; replies.test.ts keeps the two in step). Pure: every value comes from the sample and the model name.
 */
export type Reply = Record<string, unknown>;

/** Stock bmminer reports its API as "cgminer 1.0.0" in every STATUS. */
const DESCRIPTION = 'cgminer 1.0.0';
const FIRMWARE = { BMMiner: '1.0.0', CompileTime: 'Tue Dec  6 16:12:30 CST 2022', Miner: '49.0.1.3' };
const BOARDS = 3;
const CHIPS_PER_BOARD = 114;
/** `.invalid` never resolves (RFC 2606): a simulated config can never point a real client at a real pool. */
const POOL_URLS = ['pool', 'backup1.pool', 'backup2.pool'].map(
  (host) => `stratum+tcp://${host}.invalid:3333`,
);

function envelope(when: number, code: number, msg: string, sections: Reply, letter = 'S'): Reply {
  return {
    STATUS: [{ STATUS: letter, When: when, Code: code, Msg: msg, Description: DESCRIPTION }],
    ...sections,
    id: 1,
  };
}

export function errorReply(when: number, code: number, msg: string): Reply {
  return envelope(when, code, msg, {}, 'E');
}

export function summaryReply(s: Sample): Reply {
  return envelope(s.when, 11, 'Summary', {
    SUMMARY: [
      {
        Elapsed: s.elapsed,
        'GHS 5s': s.ghs5s,
        'GHS av': s.ghsAv,
        'GHS 30m': s.ghsAv,
        'Found Blocks': 0,
        Getwork: Math.floor(s.elapsed / 30),
        Accepted: s.accepted,
        Rejected: s.rejected,
        'Hardware Errors': 0,
        Utility: perMinute(s.accepted, s.elapsed),
        Discarded: 0,
        Stale: s.stale,
        'Get Failures': 0,
        'Local Work': 0,
        'Remote Failures': 0,
        'Network Blocks': 0,
        'Total MH': Math.round(s.ghsAv * 1000 * s.elapsed),
        'Work Utility': perMinute(s.accepted * SHARE_DIFFICULTY, s.elapsed),
        'Difficulty Accepted': s.accepted * SHARE_DIFFICULTY,
        'Difficulty Rejected': s.rejected * SHARE_DIFFICULTY,
        'Difficulty Stale': s.stale * SHARE_DIFFICULTY,
        'Best Share': s.accepted > 0 ? SHARE_DIFFICULTY * 3 : 0,
        'Device Hardware%': 0,
        'Device Rejected%': 0,
        'Pool Rejected%': percent(s.rejected, s.accepted + s.rejected),
        'Pool Stale%': percent(s.stale, s.accepted + s.stale),
        'Last getwork': s.when,
      },
    ],
  });
}

export function versionReply(when: number, model: string): Reply {
  return envelope(when, 22, 'CGMiner versions', { VERSION: [{ API: '3.1', ...FIRMWARE, Type: model }] });
}

/** Antminers have three pool slots: the first is the active one and holds all the shares, the others are idle. */
export function poolsReply(s: Sample, user: string): Reply {
  const pools = POOL_URLS.map((url, index) => {
    const active = index === 0;
    const count = (value: number) => (active ? value : 0);
    return {
      Accepted: count(s.accepted),
      'Best Share': count(s.accepted > 0 ? SHARE_DIFFICULTY * 3 : 0),
      Diff: active ? '524K' : '',
      'Diff1 Shares': 0,
      'Difficulty Accepted': count(s.accepted * SHARE_DIFFICULTY),
      'Difficulty Rejected': count(s.rejected * SHARE_DIFFICULTY),
      'Difficulty Stale': count(s.stale * SHARE_DIFFICULTY),
      Discarded: 0,
      'Get Failures': 0,
      Getworks: count(Math.floor(s.elapsed / 30)),
      'Has GBT': false,
      'Has Stratum': true,
      'Last Share Difficulty': count(SHARE_DIFFICULTY),
      'Last Share Time': active ? '0:00:03' : '0',
      'Long Poll': 'N',
      POOL: index,
      'Pool Rejected%': count(percent(s.rejected, s.accepted + s.rejected)),
      'Pool Stale%%': count(percent(s.stale, s.accepted + s.stale)),
      Priority: index,
      Proxy: '',
      'Proxy Type': '',
      Quota: 1,
      Rejected: count(s.rejected),
      'Remote Failures': 0,
      Stale: count(s.stale),
      Status: 'Alive',
      'Stratum Active': active,
      'Stratum URL': active ? new URL(url).hostname : '',
      URL: url,
      User: user,
    };
  });
  return envelope(s.when, 7, `${pools.length} Pool(s)`, { POOLS: pools });
}

/** bmminer lists the whole control board as one ASC device. */
export function devsReply(s: Sample): Reply {
  return envelope(s.when, 9, '1 ASC(s)', {
    DEVS: [
      {
        ASC: 0,
        Accepted: s.accepted,
        'Device Elapsed': s.elapsed,
        'Device Hardware%': 0,
        'Device Rejected%': 0,
        'Diff1 Work': 0,
        'Difficulty Accepted': s.accepted * SHARE_DIFFICULTY,
        'Difficulty Rejected': s.rejected * SHARE_DIFFICULTY,
        Enabled: 'Y',
        'Hardware Errors': 0,
        ID: 0,
        'Last Share Difficulty': SHARE_DIFFICULTY,
        'Last Share Pool': 0,
        'Last Share Time': s.when,
        'Last Valid Work': s.when,
        'MHS 5s': Math.round(s.ghs5s * 1000),
        'MHS av': Math.round(s.ghsAv * 1000),
        Name: 'BTM_SOC',
        Rejected: s.rejected,
        Status: 'Alive',
        Tenperature: 0, // sic: bmminer's spelling
        'Total MH': Math.round(s.ghsAv * 1000 * s.elapsed),
        Utility: perMinute(s.accepted, s.elapsed),
      },
    ],
  });
}

/** bmminer `stats`: a firmware header, then one object with per-chain fields for four slots (three in use). */
export function statsReply(s: Sample, model: string, nominalGhs: number, serial: string): Reply {
  const data: Reply = {
    Calls: 0,
    Elapsed: s.elapsed,
    'GHS 5s': s.ghs5s,
    'GHS av': s.ghsAv,
    ID: 'BTM_SOC0',
    Max: 0,
    Min: 99999999,
    Mode: 2,
    STATS: 0,
    Wait: 0,
    fan_num: 4,
    fan1: 6000,
    fan2: 5880,
    fan3: 5040,
    fan4: 5040,
    frequency: 525,
    miner_count: BOARDS,
    miner_id: serial,
    miner_version: FIRMWARE.Miner,
    no_matching_work: 0,
    rate_30m: s.ghsAv,
    rate_unit: 'GH',
    temp_max: 0,
    temp_num: BOARDS,
    'total rate': s.ghsAv,
    total_acn: BOARDS * CHIPS_PER_BOARD,
    total_freqavg: 525,
    total_rateideal: nominalGhs,
  };
  for (let chain = 1; chain <= 4; chain++) {
    const used = chain <= BOARDS;
    data[`chain_acn${chain}`] = used ? CHIPS_PER_BOARD : 0;
    data[`chain_acs${chain}`] = used ? ' ooo'.repeat(CHIPS_PER_BOARD / 3) : '';
    data[`chain_hw${chain}`] = 0;
    data[`chain_rate${chain}`] = used ? (s.ghs5s / BOARDS).toFixed(2) : '';
    data[`freq${chain}`] = used ? 525 : 0;
    data[`temp_chip${chain}`] = used ? '70-70-66-66' : '0-0-0-0';
    data[`temp_pcb${chain}`] = used ? '62-62-58-58' : '0-0-0-0';
    data[`temp_pic${chain}`] = used ? '52-52-48-48' : '0-0-0-0';
    if (used) {
      data[`temp${chain}`] = 62; // board
      data[`temp2_${chain}`] = 70; // hottest chip
    }
  }
  return envelope(s.when, 70, 'CGMiner stats', { STATS: [{ ...FIRMWARE, Type: model }, data] });
}

function perMinute(count: number, elapsed: number): number {
  return elapsed > 0 ? Math.round((count / elapsed) * 60 * 100) / 100 : 0;
}

function percent(part: number, whole: number): number {
  return whole > 0 ? Math.round((part / whole) * 10000) / 100 : 0;
}
