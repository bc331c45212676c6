import { type CgminerRequest, envelope, type Reply, type RequestError, refusal } from '../cgminer/index.js';
import { antminerHardware, type Hardware } from '../hardware.js';
import type { Identity, Machine } from '../machine.js';
import type { PoolRow } from '../pools.js';
import { type Sample, SHARE_DIFFICULTY } from '../telemetry.js';
import { bestShare, chainFields, fanFields, hostOf, percent, perMinute, summaryCounters } from './common.js';
import type { Firmware, Personality } from './personality.js';

/**
 * Stock Antminer firmware (bmminer, X19 era), shaped like the corpus' S19 Pro replies (`antminer-bmminer/`):
 * `version`, `summary`, `pools`, `devs`, `stats` on TCP 4028, JSON or text. Its web CGI (web/antminer-cgi.ts)
 * is how it is commanded: over the cgminer API the stock conf lets the LAN run only those five commands.
 */

/** Stock bmminer reports its API as "cgminer 1.0.0" in every STATUS. */
const DESCRIPTION = 'cgminer 1.0.0';
const FIRMWARE = { BMMiner: '1.0.0', CompileTime: 'Tue Dec  6 16:12:30 CST 2022', Miner: '49.0.1.3' };
const FREQUENCY_MHZ = 525;
/** X17 reports work mode 254 while asleep; X19 stays at 2 (asic-protocols.md §7). */
const X17 = /^Antminer [ST]17/;

/** cgminer commands the stock conf keeps from the LAN (`api-allow A:0/0,W:*`, `api-groups A:stats:pools:..`). */
const DENIED = new Set([
  'config',
  'devdetails',
  'edevs',
  'estats',
  'coin',
  'lcd',
  'notify',
  'check',
  'asc',
  'asccount',
  'pgacount',
  'privileged',
  'quit',
  'restart',
  'save',
  'switchpool',
  'enablepool',
  'disablepool',
  'addpool',
  'removepool',
  'poolpriority',
  'ascset',
  'ascenable',
  'ascdisable',
  'ascidentify',
  'zero',
  'hotplug',
  'debug',
  'setconfig',
]);

export const antminer: Personality = {
  name: 'antminer',
  brand: 'Antminer',
  description: DESCRIPTION,
  forms: { text: true, cmdKey: false },
  joinable: new Set(),
  sleepSurvivesReboot: true,
  hardware: antminerHardware,
  firmware: (machine) => new AntminerFirmware(machine),
};

class AntminerFirmware implements Firmware {
  constructor(private readonly machine: Machine) {}

  answer(request: CgminerRequest | RequestError): Reply {
    const { machine } = this;
    const when = machine.when;
    if ('code' in request) return refusal(when, request.code, request.msg, DESCRIPTION);
    switch (request.command) {
      case 'summary':
        return summaryReply(machine.report(machine.sample()));
      case 'version':
        return versionReply(when, machine.identity.model.model);
      case 'pools':
        return poolsReply(machine.poolRows(), when);
      case 'devs':
        return devsReply(machine.sample());
      case 'stats':
        return statsReply(machine.report(machine.sample()), machine.identity, machine.hardware);
      default:
        return DENIED.has(request.command)
          ? refusal(when, 45, `Access denied to '${request.command}' command`, DESCRIPTION)
          : refusal(when, 14, 'Invalid command', DESCRIPTION);
    }
  }
}

function reply(when: number, code: number, msg: string, sections: Reply): Reply {
  return envelope({ when, code, msg, description: DESCRIPTION }, sections);
}

function summaryReply(s: Sample): Reply {
  const { Getworks, ...counters } = summaryCounters(s);
  return reply(s.when, 11, 'Summary', {
    SUMMARY: [
      {
        Elapsed: s.elapsed,
        'GHS 5s': s.ghs5s,
        'GHS av': s.ghsAv,
        'GHS 30m': s.ghsAv,
        Getwork: Getworks, // sic: bmminer's key
        ...counters,
      },
    ],
  });
}

function versionReply(when: number, model: string): Reply {
  return reply(when, 22, 'CGMiner versions', { VERSION: [{ API: '3.1', ...FIRMWARE, Type: model }] });
}

/** Stock firmware lists its three pool slots; shares go to the active pool. */
function poolsReply(rows: PoolRow[], when: number): Reply {
  const pools = rows.map((row) => ({
    Accepted: row.accepted,
    'Best Share': bestShare(row.accepted),
    Diff: row.active ? '524K' : '',
    'Diff1 Shares': 0,
    'Difficulty Accepted': row.accepted * SHARE_DIFFICULTY,
    'Difficulty Rejected': row.rejected * SHARE_DIFFICULTY,
    'Difficulty Stale': row.stale * SHARE_DIFFICULTY,
    Discarded: 0,
    'Get Failures': 0,
    Getworks: row.active ? Math.max(1, Math.floor(row.accepted / 2)) : 0,
    'Has GBT': false,
    'Has Stratum': true,
    'Last Share Difficulty': row.accepted > 0 ? SHARE_DIFFICULTY : 0,
    'Last Share Time': row.accepted > 0 ? '0:00:03' : '0',
    'Long Poll': 'N',
    POOL: row.index,
    'Pool Rejected%': percent(row.rejected, row.accepted + row.rejected),
    'Pool Stale%%': percent(row.stale, row.accepted + row.stale), // sic: bmminer's key
    Priority: row.index,
    Proxy: '',
    'Proxy Type': '',
    Quota: 1,
    Rejected: row.rejected,
    'Remote Failures': 0,
    Stale: row.stale,
    Status: row.enabled ? 'Alive' : 'Disabled',
    'Stratum Active': row.active,
    'Stratum URL': row.active ? hostOf(row.url) : '',
    URL: row.url,
    User: row.user,
  }));
  return reply(when, 7, `${pools.length} Pool(s)`, { POOLS: pools });
}

/** bmminer lists the whole control board as one ASC device. */
function devsReply(s: Sample): Reply {
  return reply(s.when, 9, '1 ASC(s)', {
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

/**
 * bmminer `stats`: a firmware header, then one record with per-chain fields for four slots. A sleeping X19
 * keeps Mode 2 and shows its chips found but idle (`x`); a failed board shows no chips (`-`) and no rate.
 */
function statsReply(s: Sample, identity: Identity, hardware: Hardware): Reply {
  const model = identity.model.model;
  const data: Reply = {
    Calls: 0,
    Elapsed: s.elapsed,
    'GHS 5s': s.ghs5s,
    'GHS av': s.ghsAv,
    ID: 'BTM_SOC0',
    Max: 0,
    Min: 99999999,
    Mode: s.asleep && X17.test(model) ? 254 : 2,
    STATS: 0,
    Wait: 0,
    fan_num: hardware.fans,
    ...fanFields(s),
    frequency: FREQUENCY_MHZ,
    miner_count: hardware.boards,
    miner_id: identity.serial,
    miner_version: FIRMWARE.Miner,
    no_matching_work: 0,
    rate_30m: s.ghsAv,
    rate_unit: 'GH',
    temp_max: Math.max(...s.boards.map((board) => board.boardTempC)),
    temp_num: hardware.boards,
    'total rate': s.ghsAv,
    total_acn: s.boards.reduce((total, board) => total + board.chipsFound, 0),
    total_freqavg: FREQUENCY_MHZ,
    // X17 asleep rates itself at 0; X19 keeps the rate of its mode.
    total_rateideal: s.asleep && X17.test(model) ? 0 : s.ratedGhs,
    ...chainFields(s, hardware, FREQUENCY_MHZ),
  };
  return reply(s.when, 70, 'CGMiner stats', { STATS: [{ ...FIRMWARE, Type: model }, data] });
}
