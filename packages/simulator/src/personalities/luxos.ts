import { randomBytes } from 'node:crypto';
import {
  type CgminerRequest,
  envelope,
  type Reply,
  type RequestError,
  refusal,
  type StatusLetter,
} from '../cgminer/index.js';
import { antminerHardware } from '../hardware.js';
import type { Machine } from '../machine.js';
import type { PowerMode, Sample } from '../telemetry.js';
import { chainFields, fanFields, poolRecord, summaryCounters } from './common.js';
import type { Firmware, Personality } from './personality.js';
import { POOL_COMMANDS, poolCommand, splitEscaped } from './pool-commands.js';

/**
 * LuxOS on an Antminer: LUXminer behind the cgminer API (corpus `luxos/`, docs.luxor.tech): bmminer-style
 * `stats`, `summary`, `version`, `config` (model, MAC, serial, LEDs, curtailment), `devs`, `temps`, `power`,
 * `fans`, `pools`, `profiles`; JSON only. Changes need a session: `logon` hands out the one session there may
 * be (it expires after a minute unused), whose id is the first parameter of `curtail`, `ledset`,
 * `rebootdevice`, `resetminer`, `profileset` and `logoff`. Curtailment survives a reboot, as LuxOS documents.
 */

const VERSION = '2025.4.8.220305-57b389c7';
const MINER = '2025.4.8.220305';
const DESCRIPTION = `LUXminer ${VERSION}`;
const COMPILE_TIME = 'Tue Apr  8 22:05:35 UTC 2025';
const FREQUENCY_MHZ = 590;
const SESSION_IDLE_MS = 60_000;
/** Codes LuxOS documents (311 power, 316 session created, 319 session information, 335 curtail); the rest are ours. */
const CODE = {
  power: 311,
  logon: 316,
  logoff: 317,
  session: 319,
  curtail: 335,
  ledset: 336,
  reboot: 337,
  resetminer: 338,
  profiles: 339,
  profileset: 340,
  sessionActive: 312,
  badSession: 313,
  badParameter: 314,
} as const;
/** Profiles relative to the default one, 25 MHz a step as LuxOS generates them; one per power mode. */
const PROFILES: ReadonlyArray<{ name: string; mode: PowerMode; step: number }> = [
  { name: `${FREQUENCY_MHZ - 100}MHz`, mode: 'low', step: -4 },
  { name: 'default', mode: 'normal', step: 0 },
  { name: `${FREQUENCY_MHZ + 50}MHz`, mode: 'high', step: 2 },
];
function profileOf(mode: PowerMode): { name: string; step: number } {
  return PROFILES.find((profile) => profile.mode === mode) ?? { name: 'default', step: 0 };
}

/** Commands that take a session id first. */
const PRIVILEGED = new Set(['logoff', 'curtail', 'ledset', 'rebootdevice', 'resetminer', 'profileset']);

export const luxos: Personality = {
  name: 'luxos',
  brand: 'Antminer',
  description: DESCRIPTION,
  forms: { text: false, cmdKey: false },
  joinable: new Set(),
  sleepSurvivesReboot: true,
  hardware: antminerHardware,
  firmware: (machine) => new LuxosFirmware(machine),
};

type Say = (code: number, msg: string, letter?: StatusLetter, sections?: Reply) => Reply;

class LuxosFirmware implements Firmware {
  #session: { id: string; expires: number } | undefined;
  /** `ledset red on` lights it steadily, `blink` flashes it; off is `off`. */
  #redLed: 'off' | 'on' | 'blink' = 'off';

  constructor(private readonly machine: Machine) {}

  answer(request: CgminerRequest | RequestError): Reply {
    const { machine } = this;
    const when = machine.when;
    if ('code' in request) return refusal(when, request.code, request.msg, DESCRIPTION);
    const say: Say = (code, msg, letter = 'S', sections = {}) =>
      envelope({ when, code, msg, description: DESCRIPTION, letter }, sections);
    if (PRIVILEGED.has(request.command)) return this.#privileged(request, say);
    switch (request.command) {
      case 'version':
        return say(22, 'LUXminer versions', 'S', {
          VERSION: [
            {
              API: '3.7',
              CompileTime: COMPILE_TIME,
              LUXminer: VERSION,
              Miner: MINER,
              Type: machine.identity.model.model,
            },
          ],
        });
      case 'stats':
        return statsReply(machine.report(machine.sample()), machine, say);
      case 'summary':
        return summaryReply(machine.report(machine.sample()), say);
      case 'config':
        return say(33, 'LUXminer config', 'S', { CONFIG: [this.#config()] });
      case 'devs':
        return devsReply(machine.sample(), machine, say);
      case 'temps':
        return tempsReply(machine.sample(), say);
      case 'power':
        return say(CODE.power, 'Power usage', 'S', {
          POWER: [{ PSU: false, Watts: machine.sample().powerW }],
        });
      case 'fans': {
        const fans = machine
          .sample()
          .fansRpm.map((rpm, i) => ({ FAN: `FAN${i + 1}`, ID: i, RPM: rpm, Speed: 60 }));
        return say(202, `${fans.length} Fan(s)`, 'S', {
          FANCTRL: [{ MinFans: fans.length, PowerOffSpeed: 20 }],
          FANS: fans,
        });
      }
      case 'pools': {
        const pools = machine.poolRows().map((row) => {
          const { 'Long Poll': _, ...record } = poolRecord(row, when);
          return {
            ...record,
            AsicBoost: true,
            Diff: row.active ? '524K' : '0',
            GROUP: 0,
            'Has Vmask': true,
            'Last Share Time': row.accepted > 0 ? '00:00:03' : '00:00:00',
            'Long Pool': 'N', // sic: LUXminer's key
          };
        });
        return say(7, `${pools.length} Pool(s)`, 'S', { POOLS: pools });
      }
      case 'profiles':
        return say(CODE.profiles, 'Profiles', 'S', {
          PROFILES: PROFILES.map((profile) => {
            const { hashrateTh, powerW } = machine.identity.model;
            const scale = FREQUENCY_MHZ / (FREQUENCY_MHZ + profile.step * 25);
            return {
              CanRestore: true,
              Frequency: FREQUENCY_MHZ + profile.step * 25,
              HasOverrides: false,
              Hashrate: Math.round((hashrateTh / scale) * 10) / 10,
              IsDynamic: true,
              IsTuned: profile.mode === machine.powerMode,
              'Profile Name': profile.name,
              Step: String(profile.step),
              Voltage: Math.round((13.5 + profile.step * 0.15) * 100) / 100,
              Watts: Math.round(powerW / scale / scale),
            };
          }),
        });
      case 'session':
        return say(CODE.session, 'Session information', 'S', {
          SESSION: [{ SessionID: this.#liveSession()?.id ?? '' }],
        });
      case 'logon': {
        if (this.#liveSession() !== undefined)
          return say(CODE.sessionActive, 'Another session is active', 'E');
        this.#session = { id: randomBytes(6).toString('base64url'), expires: 0 };
        this.#touch();
        return say(CODE.logon, 'Session created', 'S', { SESSION: [{ SessionID: this.#session.id }] });
      }
      default:
        if (POOL_COMMANDS.has(request.command)) return poolCommand(machine, request, say);
        return say(14, 'Invalid command', 'E');
    }
  }

  #liveSession(): { id: string; expires: number } | undefined {
    const session = this.#session;
    if (session !== undefined && session.expires <= this.#nowMs()) this.#session = undefined;
    return this.#session;
  }

  #touch(): void {
    if (this.#session) this.#session.expires = this.#nowMs() + SESSION_IDLE_MS;
  }

  #nowMs(): number {
    return this.machine.when * 1000;
  }

  /** A command that needs the live session's id as its first parameter. */
  #privileged(request: CgminerRequest, say: Say): Reply {
    const [id = '', ...args] = splitEscaped(request.parameter ?? '');
    const session = this.#liveSession();
    if (session === undefined || id !== session.id) return say(CODE.badSession, 'Invalid session id', 'E');
    this.#touch();
    const { machine } = this;
    const bad = () => say(CODE.badParameter, `Invalid parameters for ${request.command}`, 'E');
    switch (request.command) {
      case 'logoff':
        this.#session = undefined;
        return say(CODE.logoff, 'Session ended');
      case 'curtail': {
        const action = args[0];
        if (action !== 'sleep' && action !== 'wakeup') return bad();
        machine.setAsleep(action === 'sleep');
        return say(CODE.curtail, 'Curtailment command sent', 'S', {
          CURTAIL: [{ Action: action === 'sleep' ? 'sleep mode' : 'wake up' }],
        });
      }
      case 'ledset': {
        const [color, state] = args;
        if (color !== 'red' || (state !== 'on' && state !== 'off' && state !== 'blink')) return bad();
        this.#redLed = state;
        machine.setLed(state !== 'off');
        return say(CODE.ledset, 'LED set', 'S', { LEDSET: [{ Color: color, State: state }] });
      }
      case 'rebootdevice':
        this.#session = undefined;
        machine.reboot();
        return say(CODE.reboot, 'Rebooting device');
      case 'resetminer':
        // Sessions live in the LUXminer process, which this restarts: the session goes with it.
        this.#session = undefined;
        machine.restartMining();
        return say(CODE.resetminer, 'Resetting miner');
      default: {
        const profile = PROFILES.find((candidate) => candidate.name === args.at(-1));
        if (profile === undefined || args.length > 2) return bad();
        machine.setPowerMode(profile.mode);
        return say(CODE.profileset, `Profile set to ${profile.name}`);
      }
    }
  }

  #config(): Reply {
    const { identity, hardware } = this.machine;
    const profile = profileOf(this.machine.powerMode);
    return {
      'ASC Count': hardware.boards,
      BcastAddr: identity.ip.replace(/\d+$/, '255'),
      ControlBoardType: 'cvitek',
      Cooling: hardware.fans === 0 ? 'Hydro' : 'Air',
      CurtailMode: this.machine.asleep ? 'Sleep' : 'None',
      DHCP: true,
      'DNS Servers': '',
      'Device Code': '',
      FPGABuildIdHex: '0x18351835',
      FPGABuildIdStr: '2018-35-18 35:00',
      FeeStatus: 'Ok',
      Gateway: identity.ip.replace(/\d+$/, '1'),
      GreenLed: 'auto',
      Hostname: identity.hostname,
      Hotplug: 'None',
      IPAddr: identity.ip,
      ImmersionMode: false,
      IsAtmEnabled: false,
      IsPowerSupplyOn: !this.machine.asleep,
      IsSingleVoltage: true,
      IsTuning: false,
      'Log Interval': 0,
      LogFileLevel: 'info',
      MACAddr: identity.mac,
      Model: identity.model.model,
      NameplateTHS: identity.model.hashrateTh,
      Netmask: '255.255.255.0',
      OS: 'LuxOS',
      'PGA Count': 0,
      PSUHwVersion: '75',
      PSULabel: 'APW121215e',
      'Pool Count': this.machine.poolRows().length,
      Profile: profile.name,
      ProfileStep: String(profile.step),
      // The LED follows the rebooted machine: LuxOS turns it off at boot.
      RedLed: this.machine.led ? this.#redLed : 'off',
      SerialNumber: identity.serial.toUpperCase(),
      Strategy: 'Failover',
      SystemStatus: 'Normal',
      UpdateOnStartup: 'off',
      UpdateOnTimeout: 'off',
      UpdateOnUser: 'full',
      UpdateSource: 'https://firmware.invalid/luxos/stable',
      UpdateTimeout: 60,
    };
  }
}

function statsReply(s: Sample, machine: Machine, say: Say): Reply {
  const { identity, hardware } = machine;
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
    ...chainFields(s, hardware, FREQUENCY_MHZ),
    ...fanFields(s),
    fan_num: hardware.fans,
    frequency: FREQUENCY_MHZ,
    miner_count: hardware.boards,
    miner_id: identity.mac.replaceAll(':', ''),
    miner_version: MINER,
    no_matching_work: 0,
    rate_30m: s.ghsAv,
    rate_unit: 'GH',
    temp_max: Math.max(...s.boards.map((board) => board.boardTempC)),
    temp_num: hardware.boards,
    'total rate': s.ghsAv,
    total_acn: s.boards.reduce((total, board) => total + board.chipsFound, 0),
    total_freqavg: FREQUENCY_MHZ,
    total_rateideal: s.ratedGhs,
  };
  return say(70, 'LUXminer stats', 'S', {
    STATS: [{ CompileTime: COMPILE_TIME, Miner: MINER, Type: identity.model.model }, data],
  });
}

function summaryReply(s: Sample, say: Say): Reply {
  return say(11, 'Summary', 'S', {
    SUMMARY: [
      {
        ...summaryCounters(s),
        Elapsed: s.elapsed,
        'GHS 15m': s.ghsAv,
        'GHS 1m': s.ghs5s,
        'GHS 24h': s.ghsAv,
        'GHS 30m': s.ghsAv,
        'GHS 5m': s.ghsAv,
        'GHS 5s': s.ghs5s,
        'GHS av': s.ghsAv,
      },
    ],
  });
}

const mhs = (ghs: number) => Math.round(ghs * 100_000) / 100;

/** One device per board, with its connector, rated rate, profile and serial; LuxOS reports PCB temperatures. */
function devsReply(s: Sample, machine: Machine, say: Say): Reply {
  const profile = profileOf(s.powerMode).name;
  const devs = s.boards.map((board, i) => ({
    ASC: i,
    Accepted: 0,
    Board: 'BHB56903',
    Connector: `J${i + 7}`,
    ControllerIPVersionHex: '0x18351835',
    ControllerIPVersionStr: 'N/A',
    'Device Elapsed': s.elapsed,
    'Device Hardware%': 0,
    'Device Rejected%': 0,
    'Diff1 Work': 0,
    'Difficulty Accepted': 0,
    'Difficulty Rejected': 0,
    Enabled: 'Y',
    'Hardware Error MHS 15m': 0,
    'Hardware Errors': 0,
    ID: i,
    IsRamping: false,
    IsUserShutdown: s.asleep,
    'Last Share Difficulty': 0,
    'Last Share Pool': 0,
    'Last Share Time': s.when,
    'Last Valid Work': s.when,
    'MHS 15m': mhs(board.ghsAv),
    'MHS 1m': mhs(board.ghs5s),
    'MHS 30m': mhs(board.ghsAv),
    'MHS 5m': mhs(board.ghsAv),
    'MHS 5s': mhs(board.ghs5s),
    'MHS 60m': mhs(board.ghsAv),
    'MHS av': mhs(board.ghsAv),
    Name: '',
    'Nominal MHS': mhs(s.ratedGhs / s.boards.length),
    Profile: profile,
    Rejected: 0,
    SerialNumber: `${machine.identity.serial.slice(0, 14).toUpperCase()}B${i}`,
    Status: 'Alive',
    Temperature: board.boardTempC,
    'Total MH': Math.round(board.ghsAv * 1000 * s.elapsed),
    Utility: 0,
  }));
  return say(9, `${devs.length} ASC(s)`, 'S', { DEVS: devs });
}

/** Four sensors a board, labelled by position; the driver takes the intake and exhaust ones. */
function tempsReply(s: Sample, say: Say): Reply {
  const label = (text: string, position: [number, number]) => ({ Label: text, Position: position });
  return say(201, `${s.boards.length} Temp(s)`, 'S', {
    METADATA: [
      {
        BottomLeft: label('Board Exhaust (bottom)', [1, 0]),
        BottomRight: label('Board Intake (bottom)', [1, 1]),
        TopLeft: label('Board Exhaust (top)', [0, 0]),
        TopRight: label('Board Intake (top)', [0, 1]),
      },
    ],
    TEMPS: s.boards.map((board, i) => ({
      BottomLeft: board.outletTempC,
      BottomRight: board.inletTempC,
      ID: i,
      TEMP: i,
      TopLeft: board.outletTempC,
      TopRight: board.inletTempC,
    })),
  });
}
