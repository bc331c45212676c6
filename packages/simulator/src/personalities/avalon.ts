import {
  type CgminerRequest,
  envelope,
  type Reply,
  type RequestError,
  refusal,
  type StatusLetter,
} from '../cgminer/index.js';
import { avalonHardware } from '../hardware.js';
import type { Machine } from '../machine.js';
import type { PowerMode, Sample } from '../telemetry.js';
import { poolRecord, summaryCounters } from './common.js';
import type { Firmware, Personality } from './personality.js';
import { POOL_COMMANDS, poolCommand, type Say, splitEscaped } from './pool-commands.js';

/**
 * Canaan Avalon on Canaan's cgminer 4.11.1 (corpus `avalon/`, A1246 and A1566): `version` with PROD, `stats` that
 * packs everything into the `MM ID0` string (`Ver[..] GHSspd[..] MGHS[..] ..`), `summary` in `MHS 30s`, `pools`,
 * `devs`, `devdetails`, `config`; JSON, text or joined. Commanded with `ascset|0,<option>,..`: `led`, `softoff`,
 * `softon`, `workmode`, `setpool` (applied at the next reboot), `reboot`, `help`; `restart` restarts it too.
 */

const DESCRIPTION = 'cgminer 4.11.1';
const FIRMWARE = '24102401_25462b2_9ddf522';
/** Work modes as `WORKMODE[n]` and `ascset|0,workmode,set,n` number them. */
const WORKMODES: readonly PowerMode[] = ['low', 'normal', 'high'];
const REPORTS = ['version', 'config', 'summary', 'pools', 'devs', 'edevs', 'stats', 'estats', 'devdetails'];
const HELP =
  'help|voltage|fan-spd|lcd|hash-sn-read|hash-sn-write|volt-tuning|workmode|worklevel|reboot|softon|softoff|led|setpool|';
/** Fan speed at 100% duty. */
const MAX_FAN_RPM = 7_000;

export const avalon: Personality = {
  name: 'avalon',
  brand: 'Avalon',
  description: DESCRIPTION,
  forms: { text: true, cmdKey: false },
  joinable: new Set(REPORTS),
  sleepSurvivesReboot: false,
  hardware: avalonHardware,
  firmware: (machine) => new AvalonFirmware(machine),
};

class AvalonFirmware implements Firmware {
  constructor(private readonly machine: Machine) {}

  answer(request: CgminerRequest | RequestError): Reply {
    const { machine } = this;
    const when = machine.when;
    if ('code' in request) return refusal(when, request.code, request.msg, DESCRIPTION);
    const say = (code: number, msg: string, letter?: StatusLetter) =>
      envelope({ when, code, msg, description: DESCRIPTION, ...(letter ? { letter } : {}) });
    switch (request.command) {
      case 'version':
        return versionReply(machine);
      case 'summary':
        return summaryReply(machine.report(machine.sample()));
      case 'stats':
      case 'estats':
        return statsReply(machine.report(machine.sample()), machine);
      case 'devs':
      case 'edevs':
        return devsReply(machine.sample());
      case 'pools': {
        const pools = machine.poolRows().map((row) => ({ ...poolRecord(row, when), 'Has Vmask': true }));
        return reply(when, 7, `${pools.length} Pool(s)`, { POOLS: pools });
      }
      case 'devdetails':
        return reply(when, 69, 'Device Details', {
          DEVDETAILS: [
            {
              DEVDETAILS: 0,
              Name: 'AVALON',
              ID: 0,
              Driver: 'avalon',
              Kernel: '',
              Model: '',
              'Device Path': '',
            },
          ],
        });
      case 'config':
        return reply(when, 33, 'CGMiner config', {
          CONFIG: [
            {
              'ASC Count': 1,
              'PGA Count': 0,
              'Pool Count': machine.poolRows().length,
              Strategy: 'Failover',
              'Log Interval': 30,
              'Device Code': 'AVALON',
              OS: 'Linux',
              Hotplug: 'None',
            },
          ],
        });
      case 'ascset':
        return ascset(machine, request.parameter ?? '', say);
      case 'restart':
        // cgminer's restart answers a bare STATUS, then the miner program is gone for a while.
        machine.reboot();
        return { STATUS: 'RESTART', id: 1 };
      default:
        if (POOL_COMMANDS.has(request.command)) return poolCommand(machine, request, say);
        return say(14, 'Invalid command', 'E');
    }
  }
}

function reply(when: number, code: number, msg: string, sections: Reply): Reply {
  return envelope({ when, code, msg, description: DESCRIPTION }, sections);
}

/** The product without the brand, as `MODEL` and the MM's `Ver` start: "1246", "A1466I". */
function modelCode(machine: Machine): string {
  return machine.identity.model.model.replace(/^Avalon(Miner)?\s+/, '');
}

function versionReply(machine: Machine): Reply {
  const { identity } = machine;
  return reply(machine.when, 22, 'CGMiner versions', {
    VERSION: [
      {
        CGMiner: '4.11.1',
        API: '3.7',
        STM8: '20.08.01',
        PROD: identity.model.model,
        MODEL: modelCode(machine),
        HWTYPE: 'MM4v2_X3',
        SWTYPE: 'MM319',
        VERSION: FIRMWARE,
        LOADER: 'd0d779de.00',
        DNA: `0201${identity.serial.slice(4)}`,
        MAC: identity.mac.replaceAll(':', ''),
        UPAPI: '2',
      },
    ],
  });
}

const mhs = (ghs: number) => Math.round(ghs * 100_000) / 100;

/** Canaan's A10+ firmware logs a 30 s window, so its summary says `MHS 30s`, not `MHS 5s`. */
function summaryReply(s: Sample): Reply {
  const { 'Last getwork': lastGetwork, ...counters } = summaryCounters(s);
  return reply(s.when, 11, 'Summary', {
    SUMMARY: [
      {
        Elapsed: s.elapsed,
        'MHS av': mhs(s.ghsAv),
        'MHS 30s': mhs(s.ghs5s),
        'MHS 1m': mhs(s.ghs5s),
        'MHS 5m': mhs(s.ghsAv),
        'MHS 15m': mhs(s.ghsAv),
        ...counters,
        'Last getwork': lastGetwork,
      },
    ],
  });
}

function devsReply(s: Sample): Reply {
  const counters = summaryCounters(s);
  return reply(s.when, 9, '1 ASC(s)', {
    DEVS: [
      {
        ASC: 0,
        Name: 'AVA10',
        ID: 0,
        Enabled: 'Y',
        Status: 'Alive',
        Temperature: -273.0, // cgminer's "no reading": the MM string carries the temperatures
        'MHS av': mhs(s.ghsAv),
        'MHS 30s': mhs(s.ghs5s),
        'MHS 1m': mhs(s.ghs5s),
        'MHS 5m': mhs(s.ghsAv),
        'MHS 15m': mhs(s.ghsAv),
        Accepted: s.accepted,
        Rejected: s.rejected,
        'Hardware Errors': 0,
        Utility: counters.Utility,
        'Last Share Pool': 0,
        'Last Share Time': s.when,
        'Total MH': counters['Total MH'],
        'Diff1 Work': counters['Difficulty Accepted'],
        'Difficulty Accepted': counters['Difficulty Accepted'],
        'Difficulty Rejected': counters['Difficulty Rejected'],
        'Last Share Difficulty': 0,
        'Last Valid Work': s.when,
        'Device Hardware%': 0,
        'Device Rejected%': 0,
        'Device Elapsed': s.elapsed,
      },
    ],
  });
}

/** The MM's `name[value]` fields; lists are space-separated, as Canaan prints them. */
function field(name: string, value: string | number | Array<string | number>): string {
  return `${name}[${Array.isArray(value) ? value.join(' ') : value}]`;
}

/** Per-chip temperatures of one board: every found chip reads near the board's hottest; missing chips read 0. */
function chipTemps(chips: number, found: number, hottest: number): string {
  return Array.from({ length: chips }, (_, chip) =>
    String(chip < found ? hottest - (chip % 9) : 0).padStart(3),
  ).join(' ');
}

/** Canaan's `MM ID0` string: the whole machine in `name[value]` fields (corpus `avalon/stats.a1566.json`). */
function mmString(s: Sample, machine: Machine): string {
  const { hardware } = machine;
  const hottest = s.boards.map((board) => board.chipTempC);
  const fans = s.fansRpm.map((rpm, i) => field(`Fan${i + 1}`, rpm));
  const boardsW = s.boards.reduce((total, board) => total + board.powerW, 0);
  const alive = s.boards.filter((board) => board.chipsFound > 0).length;
  return [
    field('Ver', `${modelCode(machine)}-${FIRMWARE}`),
    field('DNA', `0201${machine.identity.serial.slice(4)}`),
    field('MEMFREE', 1392832.1),
    field('NETFAIL', [0, 0, 0, 0, 0, 0, 0, 0]),
    field('SYSTEMSTATU', `Work: ${s.asleep ? 'In Idle' : 'In Work'}, Hash Board: ${alive} `),
    field('Elapsed', s.elapsed),
    field('BOOTBY', '0x04.00000000'),
    field('LW', s.accepted * 4096),
    field(
      'MH',
      s.boards.map(() => 0),
    ),
    field('DHW', 0),
    field('HW', 0),
    field('DH', '1.299%'),
    field('Temp', s.ambientC),
    field('TMax', Math.max(...hottest)),
    field('TAvg', Math.round(hottest.reduce((a, b) => a + b, 0) / hottest.length)),
    ...fans,
    field('FanR', `${Math.round(((s.fansRpm[0] ?? 0) / MAX_FAN_RPM) * 100)}%`),
    field('Vo', 296),
    field('PS', [0, 1209, 1187, 297, boardsW, 1188, s.powerW]),
    field('WALLPOWER', s.powerW),
    field('GHSspd', s.ghs5s.toFixed(2)),
    field('DHspd', '1.299%'),
    field('GHSmm', s.ratedGhs.toFixed(2)),
    field('GHSavg', s.ghsAv.toFixed(2)),
    field('WU', Math.round(s.ghsAv * 13.97 * 100) / 100),
    field('Freq', 345.94),
    field('Led', machine.led ? 1 : 0),
    field(
      'MGHS',
      s.boards.map((board) => board.ghsAv.toFixed(2)),
    ),
    field('MTmax', hottest),
    field(
      'MTavg',
      hottest.map((celsius) => celsius - 8),
    ),
    field('TA', hardware.boards * hardware.chipsPerBoard),
    field('Core', 'A3197S'),
    field('PING', 131),
    field('POWS', 0),
    field(
      'HASHS',
      s.boards.map(() => 0),
    ),
    field('POOLS', 0),
    field('SoftOFF', s.asleep ? 1 : 0),
    field(
      'ECHU',
      s.boards.map(() => 0),
    ),
    field('ECMM', 0),
    ...s.boards.map((board, i) =>
      field(`PVT_T${i}`, chipTemps(hardware.chipsPerBoard, board.chipsFound, board.chipTempC)),
    ),
    field('MPO', machine.identity.model.powerW),
    field('WORKMODE', WORKMODES.indexOf(s.powerMode)),
  ].join(' ');
}

function statsReply(s: Sample, machine: Machine): Reply {
  const mm = {
    STATS: 0,
    ID: 'AVA100',
    Elapsed: s.elapsed,
    Calls: 0,
    Wait: 0.0,
    Max: 0.0,
    Min: 99999999.0,
    'MM ID0': mmString(s, machine),
    'MM Count': 1,
    'Smart Speed': 1,
    'Voltage Level Offset': 0,
    'Nonce Mask': 24,
  };
  // cgminer follows the device record with one per pool.
  const pools = machine.poolRows().map((row, i) => ({
    STATS: i + 1,
    ID: `POOL${row.index}`,
    Elapsed: s.elapsed,
    Calls: 0,
    Wait: 0.0,
    Max: 0.0,
    Min: 99999999.0,
    'Pool Calls': 0,
    'Pool Attempts': 0,
    'Pool Wait': 0.0,
    'Pool Max': 0.0,
    'Pool Min': 99999999.0,
    'Pool Av': 0.0,
    'Work Had Roll Time': false,
    'Work Can Roll': false,
    'Work Had Expire': false,
    'Work Roll Time': 0,
    'Work Diff': row.active ? 524288.0 : 0.0,
  }));
  return reply(s.when, 70, 'CGMiner stats', { STATS: [mm, ...pools] });
}

/** `ascset|0,<option>[,values]`: Canaan's one command for everything it changes. */
function ascset(machine: Machine, parameter: string, say: Say): Reply {
  const [device = '', option = '', ...values] = splitEscaped(parameter);
  if (device.trim() !== '0') return say(107, `Invalid ASC id ${device.slice(0, 10)} - range is 0 - 0`, 'E');
  const ok = () => say(119, 'ASC 0 set OK');
  const info = (text: string) => say(118, `ASC 0 set info: ${text}`, 'I');
  const failed = (why: string) => say(120, `ASC 0 set failed: ${why}`, 'E');
  switch (option) {
    case 'led': {
      const value = values[0];
      if (value === '1-255') return info(`LED[${machine.led ? 1 : 0}]`);
      if (value !== '1-1' && value !== '1-0') return failed('invalid led value');
      machine.setLed(value === '1-1');
      return ok();
    }
    case 'softoff':
    case 'softon': {
      // `1:<epoch>`: when to switch; the simulator switches at once and echoes the time as Canaan does.
      const at = /^1:(\d{1,12})$/.exec(values[0] ?? '')?.[1];
      if (at === undefined) return failed(`invalid ${option} value`);
      machine.setAsleep(option === 'softoff');
      return info(`success ${option}:${at}`);
    }
    case 'workmode': {
      const level = values[0] === 'set' ? values[1] : values[0];
      const mode = /^[0-2]$/.test(level ?? '') ? WORKMODES[Number(level)] : undefined;
      if (mode === undefined) return failed('invalid workmode');
      machine.setPowerMode(mode);
      return ok();
    }
    case 'setpool':
      return setpool(machine, values, say);
    case 'reboot':
      machine.reboot();
      return ok();
    case 'help':
      return info(HELP);
    default:
      return failed(`unknown option ${option.slice(0, 20)}`);
  }
}

/**
 * `ascset|0,setpool,<admin>,<admin password>,<url>,<worker>,<worker password>`: saves pool 0 for the next boot.
 * The reply echoes the worker's password, as Canaan's does (corpus `ascset_setpool.response.txt`).
 */
function setpool(machine: Machine, values: string[], say: Say): Reply {
  const [admin, adminPassword, url = '', worker = '', password = ''] = values;
  if (values.length !== 5 || url === '' || worker === '') {
    return say(120, 'ASC 0 set failed: setpool needs admin, password, url, worker, worker password', 'E');
  }
  const { username, password: expected } = machine.credentials;
  if (admin !== username || adminPassword !== expected) {
    return say(120, 'ASC 0 set failed: wrong admin login', 'E');
  }
  const others = machine
    .state()
    .pools.slice(1)
    .map(({ url, user, password }) => ({ url, user, password }));
  machine.stagePools([{ url, user: worker, password }, ...others]);
  return say(
    118,
    `ASC 0 set info:\npool success set to ${url}\nworker is ${worker}\nworkerpassword is ${password}\nPlease reboot miner to make config work.\n`,
    'I',
  );
}
