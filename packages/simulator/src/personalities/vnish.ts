import { type CgminerRequest, envelope, type Reply, type RequestError } from '../cgminer/index.js';
import { antminerHardware } from '../hardware.js';
import type { Machine } from '../machine.js';
import { type Sample, SHARE_DIFFICULTY } from '../telemetry.js';
import { summaryCounters } from './common.js';
import type { Firmware, Personality } from './personality.js';
import { vnishWeb } from './vnish-web.js';

/**
 * VNish 1.2.7 (AnthillOS) on an Antminer, over its cgminer 4.11.1 API (corpus `vnish/rpc/`): refuses `version`
 * (STATUS E, Code 0), answers `devdetails` with a Bitmain driver name, `stats` with Type "Antminer S21 Pro
 * (Vnish 1.2.7)", chain power and states, `summary` and `pools` with its DevFee pool. Its replies carry no `id`.
 * JSON or text. VNish is commanded through its web API (vnish-web.ts).
 */

const FIRMWARE = '1.2.7';
const DESCRIPTION = 'cgminer 4.11.1';
const FREQUENCY_MHZ = 495;
const CHAIN_VOLTAGE_MV = 13_000;
/** Share of the hashing VNish keeps for itself, mined on its DevFee pool. */
const FEE = 0.028;

export const vnish: Personality = {
  name: 'vnish',
  brand: 'Antminer',
  description: DESCRIPTION,
  forms: { text: true, cmdKey: false },
  joinable: new Set(),
  sleepSurvivesReboot: false,
  hardware: antminerHardware,
  firmware: (machine) => new VnishFirmware(machine),
  webApi: vnishWeb,
};

class VnishFirmware implements Firmware {
  constructor(private readonly machine: Machine) {}

  answer(request: CgminerRequest | RequestError): Reply {
    const { machine } = this;
    const when = machine.when;
    if ('code' in request) return reply(when, request.code, request.msg, {}, 'E');
    switch (request.command) {
      case 'stats':
        return statsReply(machine.report(machine.sample()), machine);
      case 'summary':
        return summaryReply(machine.report(machine.sample()));
      case 'devdetails': {
        const name = boardName(machine);
        // cgminer's own `devdetails` keeps its `id`.
        return envelope(
          { when, code: 69, msg: 'Device Details', description: DESCRIPTION },
          {
            DEVDETAILS: [
              {
                DEVDETAILS: 0,
                Name: `BTM_${name.toUpperCase()}`,
                ID: 0,
                Driver: `bitmain_${name}_drv`,
                Kernel: '',
                Model: '',
                'Device Path': '',
              },
            ],
          },
        );
      }
      case 'pools':
        return poolsReply(machine, when);
      case 'version':
        // VNish 1.2 removed `version`: it answers like an unknown command, with Code 0.
        return reply(when, 0, 'Invalid command', {}, 'E');
      default:
        return reply(when, 14, 'Invalid command', {}, 'E');
    }
  }
}

/** The replies VNish writes itself (`stats`, `summary`, `pools`, refusals) leave out cgminer's `id`. */
function reply(when: number, code: number, msg: string, sections: Reply, letter: 'S' | 'E' = 'S'): Reply {
  const { id: _, ...rest } = envelope({ when, code, msg, description: DESCRIPTION, letter }, sections);
  return rest;
}

/** "s21pro" for an Antminer S21 Pro, as VNish names its Bitmain driver. */
function boardName(machine: Machine): string {
  return machine.identity.model.model
    .replace(/^Antminer\s+/, '')
    .replace(/[\s+]/g, '')
    .toLowerCase();
}

/** Splits a whole into integer parts that add up to it exactly (the driver sums the chains' power). */
function shares(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  return Array.from({ length: parts }, (_, i) => base + (i < total - base * parts ? 1 : 0));
}

function statsReply(s: Sample, machine: Machine): Reply {
  const { hardware, identity } = machine;
  const chains: Reply = {};
  const alive = s.boards.filter((board) => board.chipsFound > 0).length;
  const power = shares(s.powerW, Math.max(alive, 1));
  let powered = 0;
  s.boards.forEach((board, i) => {
    const n = i + 1;
    const failed = board.chipsFound === 0;
    chains[`temp_sens${n}`] = 'm-m-m-m';
    chains[`temp${n}`] = board.boardTempC;
    chains[`temp2_${n}`] = board.chipTempC;
    chains[`temp3_${n}`] = board.chipTempC;
    chains[`temp_chip${n}`] = [board.chipTempC, board.chipTempC - 10, board.chipTempC, board.chipTempC].join(
      '-',
    );
    chains[`temp_pcb${n}`] = [
      board.boardTempC,
      board.boardTempC - 10,
      board.boardTempC,
      board.boardTempC,
    ].join('-');
    chains[`chain_consumption${n}`] = failed ? 0 : (power[powered++] ?? 0);
    chains[`chain_hw${n}`] = 0;
    chains[`chain_rateideal${n}`] = Math.round((s.ratedGhs / s.boards.length) * 1000) / 1000;
    chains[`chain_rate${n}`] = board.ghs5s;
    chains[`freq_avg${n}`] = failed ? 0 : FREQUENCY_MHZ;
    chains[`chain_vol${n}`] = failed ? 0 : CHAIN_VOLTAGE_MV;
    chains[`chain_state${n}`] = failed ? 'failure' : s.asleep ? 'stopped' : 'mining';
    chains[`chain_fault${n}`] = '';
    chains[`chain_acn${n}`] = board.chipsFound;
  });
  return reply(s.when, 70, 'CGMiner stats', {
    STATS: [
      {
        Type: `${identity.model.model} (Vnish ${FIRMWARE})`,
        Miner: '0.0.0',
        Cgminer: FIRMWARE,
        CompileTime: '2025-12-22 19:12:30',
      },
      {
        Elapsed: s.elapsed,
        'GHS 5s': s.ghs5s.toFixed(2),
        'GHS av': s.ghsAv,
        ...chains,
        fan_num: hardware.fans,
        fan_mode: 0,
        fan_pwm: s.asleep ? 20 : 90,
        ...Object.fromEntries(s.fansRpm.map((rpm, i) => [`fan${i + 1}`, rpm])),
        state: s.asleep ? 'stopped' : 'mining',
        total_rate: s.ghs5s,
        total_rateideal: s.ratedGhs,
        total_acn: s.boards.reduce((total, board) => total + board.chipsFound, 0),
      },
    ],
  });
}

function summaryReply(s: Sample): Reply {
  return reply(s.when, 11, 'Summary', {
    SUMMARY: [
      {
        Elapsed: s.elapsed,
        'GHS 5s': s.ghs5s,
        'GHS av': s.ghsAv,
        'GHS 30m': s.ghsAv,
        ...summaryCounters(s),
        'Fee Percent': FEE * 100,
      },
    ],
  });
}

/** The operator's pools, then VNish's own DevFee pool (which readers drop). */
function poolsReply(machine: Machine, when: number): Reply {
  const record = (pool: number, url: string, user: string, accepted: number, active: boolean) => ({
    POOL: pool,
    URL: url,
    Type: url === 'DevFee' ? 1 : 0,
    User: user,
    Status: 'Alive',
    Diff: active ? '262K' : '',
    Accepted: accepted,
    Rejected: Math.floor(accepted / 400),
    Stale: 0,
    'Last Share Difficulty': active ? SHARE_DIFFICULTY : 0.0,
    'Last Share Time': active && accepted > 0 ? '0:00:05' : '0',
    'Stratum Active': active,
    'Has Vmask': true,
    'Difficulty Accepted': accepted * SHARE_DIFFICULTY,
    'Difficulty Rejected': Math.floor(accepted / 400) * SHARE_DIFFICULTY,
    'Difficulty Stale': 0.0,
  });
  const rows = machine.poolRows();
  const operator = rows.map((row, i) => ({
    ...record(i, row.url, row.user, row.accepted, row.active),
    Status: row.enabled ? 'Alive' : 'Disabled',
    Rejected: row.rejected,
    Stale: row.stale,
  }));
  const fee = Math.floor(machine.counters().accepted * FEE);
  const pools = [...operator, record(rows.length, 'DevFee', 'DevFee', fee, true)];
  return reply(when, 7, `${pools.length} Pool(s)`, { POOLS: pools });
}
