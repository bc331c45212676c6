import { type CgminerRequest, envelope, type Reply, type RequestError, refusal } from '../cgminer/index.js';
import { whatsminerHardware } from '../hardware.js';
import type { Credentials, Machine } from '../machine.js';
import { type Sample, SHARE_DIFFICULTY } from '../telemetry.js';
import { poolRecord, summaryCounters } from './common.js';
import type { Firmware, Personality } from './personality.js';
import { BtminerPrivileged } from './whatsminer-privileged.js';

/**
 * MicroBT Whatsminer, btminer API v2 on TCP 4028 (corpus `whatsminer/`, M31S): cgminer-style `summary`, `devs`,
 * `edevs`, `pools`, `devdetails`, `version` in MH/s with MicroBT's extra keys, and btminer's flat `status`,
 * `get_version`, `get_psu` (`{"STATUS":"S",..,"Msg":{..}}`). JSON only, `{"cmd":..}` or `{"command":..}`.
 * Writes go through the encrypted privileged API (`get_token`, then AES requests; whatsminer-privileged.ts) with
 * the admin password, factory `admin`: pools, LED, sleep, power mode and limit, btminer restart, reboot.
 */

const DESCRIPTION = 'btminer';
/** What btminer's own (flat) replies put in Description. */
const API_VERSION = 'whatsminer v1.4.0';
const FIRMWARE_VERSION = '20210322.22.REL';
const CHIP_MHZ = 625;
const CHIP_DATA = 'HP2A02-20021812 BINV02-193002B';
/** Hash-board variants as `devdetails` names them (`M30S+_VE40`); each miner gets one from its address. */
const VARIANTS = ['VE40', 'VG30', 'VH20'];

export const whatsminer: Personality = {
  name: 'whatsminer',
  brand: 'Whatsminer',
  description: DESCRIPTION,
  forms: { text: false, cmdKey: true },
  joinable: new Set(),
  sleepSurvivesReboot: false,
  defaultLogin: { username: 'admin', password: 'admin' },
  hardware: whatsminerHardware,
  firmware: (machine) => new WhatsminerFirmware(machine),
};

class WhatsminerFirmware implements Firmware {
  readonly #privileged: BtminerPrivileged;

  constructor(private readonly machine: Machine) {
    this.#privileged = new BtminerPrivileged(machine, (code, msg, letter) =>
      flat(machine.when, msg, code, letter),
    );
  }

  answerRaw(raw: string, login: Credentials | undefined): Reply | undefined {
    return this.#privileged.answer(raw, login);
  }

  answer(request: CgminerRequest | RequestError): Reply {
    const { machine } = this;
    const when = machine.when;
    if ('code' in request) return refusal(when, request.code, request.msg, DESCRIPTION);
    switch (request.command) {
      case 'summary':
        return summaryReply(machine.report(machine.sample()), machine);
      case 'devs':
      case 'edevs':
        return devsReply(machine.sample(), machine);
      case 'pools': {
        const pools = machine.poolRows().map((row) => ({ ...poolRecord(row, when), POOL: row.index + 1 }));
        return reply(when, 7, `${pools.length} Pool(s)`, { POOLS: pools });
      }
      case 'devdetails':
        return devdetailsReply(machine);
      case 'version':
        return reply(when, 22, 'CGMiner versions', { VERSION: [{ CGMiner: '4.9.2', API: '3.7' }] });
      case 'status':
        return flat(when, {
          btmineroff: String(machine.asleep),
          'Firmware Version': `'${FIRMWARE_VERSION}'`,
        });
      case 'get_token':
        return this.#privileged.getToken();
      case 'get_version':
        return flat(when, { api_ver: API_VERSION, fw_ver: FIRMWARE_VERSION });
      case 'get_psu':
        return flat(when, { name: 'P21', hw_version: '', sw_version: '102220.009', model: 'P21-12-3600-E' });
      default:
        return refusal(when, 14, 'Invalid command', DESCRIPTION);
    }
  }
}

function reply(when: number, code: number, msg: string, sections: Reply): Reply {
  return envelope({ when, code, msg, description: DESCRIPTION }, sections);
}

/** btminer's own commands answer flat: STATUS is a bare letter beside Code and Msg (an object or text). */
function flat(when: number, msg: unknown, code = 131, letter: 'S' | 'E' = 'S'): Reply {
  return { STATUS: letter, When: when, Code: code, Msg: msg, Description: API_VERSION };
}

/** `M30S+_VE40`: the catalog model without the brand, then the board variant. */
function modelCode(machine: Machine): string {
  const octet = Number(machine.identity.ip.split('.').at(-1));
  return `${machine.identity.model.model.replace(/^Whatsminer\s+/, '')}_${VARIANTS[octet % VARIANTS.length]}`;
}

const mhs = (ghs: number) => Math.round(ghs * 100_000) / 100;

function summaryReply(s: Sample, machine: Machine): Reply {
  const chips = s.boards.filter((board) => board.chipsHashing > 0).map((board) => board.chipTempC);
  const chipTemps = chips.length === 0 ? [0] : chips;
  const { model } = machine.identity;
  const counters = summaryCounters(s);
  return reply(s.when, 11, 'Summary', {
    SUMMARY: [
      {
        Elapsed: s.elapsed,
        'MHS av': mhs(s.ghsAv),
        'MHS 5s': mhs(s.ghs5s),
        'MHS 1m': mhs(s.ghsAv),
        'MHS 5m': mhs(s.ghsAv),
        'MHS 15m': mhs(s.ghsAv),
        'HS RT': mhs(s.ghsAv),
        ...counters,
        Temperature: Math.max(...s.boards.map((board) => board.boardTempC)),
        freq_avg: CHIP_MHZ,
        'Fan Speed In': s.fansRpm[0] ?? 0,
        'Fan Speed Out': s.fansRpm[1] ?? 0,
        Voltage: 1290,
        Power: s.powerW,
        Power_RT: s.powerW,
        'Power Rate': s.ghs5s > 0 ? Math.round((s.powerW / (s.ghs5s / 1000)) * 100) / 100 : 0,
        Uptime: s.elapsed + 120,
        'Power Current': Math.round((s.powerW / 13.6) * 100) / 100,
        'Power Fanspeed': 8_800,
        'Error Code Count': 0,
        'Factory Error Code Count': 0,
        'Security Mode': 0,
        'Liquid Cooling': false,
        'Hash Stable': true,
        'Hash Stable Cost Seconds': Math.min(s.elapsed, 1_500),
        'Hash Deviation%': 0,
        'Target Freq': CHIP_MHZ,
        'Target MHS': mhs(s.ratedGhs),
        'Env Temp': s.ambientC,
        'Power Mode': s.powerMode.charAt(0).toUpperCase() + s.powerMode.slice(1),
        'Firmware Version': `'${FIRMWARE_VERSION}'`,
        'CB Platform': 'ALLWINNER_H6',
        'CB Version': 'V2',
        MAC: machine.identity.mac.toUpperCase(),
        'Factory GHS': Math.round(model.hashrateTh * 1000),
        'Power Limit': machine.powerLimitW ?? Math.ceil((model.powerW * 1.05) / 100) * 100,
        'Power Voltage Input': 220,
        'Power Current Input': Math.round((s.powerW / 220) * 100) / 100,
        'Chip Temp Min': Math.min(...chipTemps) - 12,
        'Chip Temp Max': Math.max(...chipTemps),
        'Chip Temp Avg': Math.max(...chipTemps) - 5,
        'Chip Data': CHIP_DATA,
        // MicroBT's tuning trace: rate per board (TH/s), power per TH, board temperatures.
        Debug: `${s.boards.map((board) => (board.ghs5s / 1000).toFixed(1)).join('/')}T_${(s.powerW / Math.max(s.ghs5s / 1000, 1)).toFixed(1)}W_${s.boards.map((board) => board.chipTempC).join('/')}`,
      },
    ],
  });
}

/** One device per hash board; a failed board keeps its slot with no rate and no effective chips. */
function devsReply(s: Sample, machine: Machine): Reply {
  const devs = s.boards.map((board, slot) => {
    const share = s.ghsAv > 0 ? board.ghsAv / s.ghsAv : 0;
    const accepted = Math.floor(s.accepted * share);
    return {
      ASC: slot,
      Name: 'SM',
      ID: slot,
      Slot: slot,
      Enabled: 'Y',
      Status: 'Alive',
      Temperature: board.boardTempC,
      'Chip Frequency': CHIP_MHZ,
      'Fan Speed In': s.fansRpm[0] ?? 0,
      'Fan Speed Out': s.fansRpm[1] ?? 0,
      'MHS av': mhs(board.ghsAv),
      'MHS 5s': mhs(board.ghs5s),
      'MHS 1m': mhs(board.ghsAv),
      'MHS 5m': mhs(board.ghsAv),
      'MHS 15m': mhs(board.ghsAv),
      Accepted: accepted,
      Rejected: Math.floor(accepted / 400),
      'Hardware Errors': 0,
      Utility: 0,
      'Last Share Pool': 0,
      'Last Share Time': s.when,
      'Total MH': Math.round(board.ghsAv * 1000 * s.elapsed),
      'Diff1 Work': 0,
      'Difficulty Accepted': accepted * SHARE_DIFFICULTY,
      'Difficulty Rejected': Math.floor(accepted / 400) * SHARE_DIFFICULTY,
      'Last Share Difficulty': SHARE_DIFFICULTY,
      'Last Valid Work': s.when,
      'Device Hardware%': 0,
      'Device Rejected%': 0,
      'Device Elapsed': s.elapsed,
      'Upfreq Complete': 1,
      'Effective Chips': board.chipsHashing,
      'PCB SN': `${machine.identity.serial.slice(2, 12).toUpperCase()}K${slot}`,
      'Chip Data': CHIP_DATA,
      'Chip Temp Min': board.chipTempC - 12,
      'Chip Temp Max': board.chipTempC,
      'Chip Temp Avg': board.chipTempC - 5,
      chip_vol_diff: 14,
    };
  });
  return reply(s.when, 9, `${devs.length} ASC(s)`, { DEVS: devs });
}

function devdetailsReply(machine: Machine): Reply {
  const model = modelCode(machine);
  const details = Array.from({ length: machine.hardware.boards }, (_, slot) => ({
    DEVDETAILS: slot,
    Name: 'SM',
    ID: slot,
    Driver: 'bitmicro',
    Kernel: '',
    Model: model,
  }));
  return reply(machine.when, 69, 'Device Details', { DEVDETAILS: details });
}
