import type { Machine } from '../machine.js';
import type { PoolSetting } from '../pools.js';
import type { ApiAnswer, ApiRequest, TokenApiSpec } from '../web/index.js';

/**
 * VNish 1.2.7's web API (`/api/v1`, corpus `vnish/web/`, `vnish/privileged/`) on the web port: `POST unlock {pw}`
 * → `{token}`, sent back as `Bearer <token>`. Reads: info, summary, perf-summary, settings, autotune presets.
 * Writes: `POST settings` (pools; `miner.overclock.preset`, a preset name that is its watts, becomes the power
 * limit), `find-miner {on}`, `mining/{stop,start,restart}`, `system/reboot`. Presets are the recorded S21 Pro
 * list whatever the model (a simulator simplification).
 */
export function vnishWeb(machine: Machine): TokenApiSpec {
  return {
    loginPath: '/api/v1/unlock',
    accepts: (body, login) => isObject(body) && body.pw === login.password,
    loginReply: (token) => ({ token }),
    tokenOf: (authorization) => /^Bearer (\S+)$/.exec(authorization ?? '')?.[1],
    route: (request) => route(machine, request),
  };
}

/** The recorded presets' names (watts), `disabled` aside. */
const PRESET_WATTS = [
  2550, 2640, 2710, 2800, 2890, 2980, 3070, 3160, 3250, 3340, 3430, 3520, 3610, 3700, 3790, 3880, 3970, 4060,
  4150, 4240, 4330, 4420, 4510, 4600, 4690,
];

function route(machine: Machine, { method, path, body }: ApiRequest): ApiAnswer | undefined {
  switch (`${method} ${path.replace(/^\/api\/v1\//, '')}`) {
    case 'GET info':
      return ok(info(machine));
    case 'GET summary':
      return ok(summary(machine));
    case 'GET perf-summary':
      return ok({ current_preset: preset(String(currentPreset(machine))), preset_switcher: SWITCHER });
    case 'GET autotune/presets':
      return ok(PRESET_WATTS.map((watts) => preset(String(watts))));
    case 'GET settings':
      return ok(settings(machine));
    case 'POST settings':
      return applySettings(machine, body);
    case 'POST find-miner': {
      if (!isObject(body) || typeof body.on !== 'boolean') return bad('find-miner takes {on}');
      machine.setLed(body.on);
      return ok({ on: machine.led });
    }
    case 'POST mining/stop':
      machine.setAsleep(true);
      return ok({ success: true });
    case 'POST mining/start':
      machine.setAsleep(false);
      return ok({ success: true });
    case 'POST mining/restart':
      machine.restartMining();
      return ok({ success: true });
    case 'POST system/reboot':
      machine.reboot();
      return ok({ success: true });
    default:
      return undefined;
  }
}

const ok = (json: unknown): ApiAnswer => ({ status: 200, json });
const bad = (error: string): ApiAnswer => ({ status: 400, json: { error } });

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const SWITCHER = {
  enabled: true,
  top_preset: '4690',
  decrease_temp: 75,
  rise_temp: 55,
  check_time: 300,
  autochange_top_preset: true,
  ignore_fan_speed: false,
  min_preset: '2550',
  power_delta: 0,
};

function preset(name: string) {
  return { name, pretty: `${name} watt`, status: 'untuned', modded_psu_required: false };
}

/** The preset in force: the power limit a command set, else the highest preset within the model's rated power. */
function currentPreset(machine: Machine): number {
  const rated = machine.identity.model.powerW;
  return (
    machine.powerLimitW ??
    PRESET_WATTS.filter((watts) => watts <= rated).at(-1) ??
    (PRESET_WATTS[0] as number)
  );
}

/** Pools and the preset; anything else in the body is accepted and ignored. Applied at once, no restart asked. */
function applySettings(machine: Machine, body: unknown): ApiAnswer {
  if (!isObject(body) || !isObject(body.miner)) return bad('settings take {miner: ...}');
  const { pools, overclock } = body.miner;
  let chosen: number | undefined;
  if (overclock !== undefined) {
    const name = isObject(overclock) ? overclock.preset : undefined;
    chosen = typeof name === 'string' ? Number(name) : Number.NaN;
    if (!PRESET_WATTS.includes(chosen)) return bad('unknown preset');
  }
  let settingsPools: PoolSetting[] | undefined;
  if (pools !== undefined) {
    if (!Array.isArray(pools) || pools.length === 0) return bad('pools must be a list');
    settingsPools = [];
    for (const pool of pools) {
      if (!isObject(pool) || typeof pool.url !== 'string' || typeof pool.user !== 'string')
        return bad('a pool needs url and user');
      if (pool.url === '') continue; // VNish keeps three slots; an empty one is not a pool
      settingsPools.push({
        url: pool.url,
        user: pool.user,
        password: typeof pool.pass === 'string' ? pool.pass : '',
      });
    }
  }
  if (chosen !== undefined) machine.setPowerLimit(chosen);
  if (settingsPools !== undefined) machine.configurePools(settingsPools);
  return ok({ restart_required: false, reboot_required: false });
}

function settings(machine: Machine) {
  const rows = machine.poolRows();
  const slots = [...rows.map((row) => ({ url: row.url, user: row.user, pass: row.password }))];
  while (slots.length < 3) slots.push({ url: '', user: '', pass: '' });
  return {
    miner: {
      cooling: { mode: { name: 'auto', param: 65 }, fan_min_count: 4, fan_min_duty: 10, fan_max_duty: 100 },
      misc: { asic_boost: false, restart_temp: 90, remain_stopped_on_reboot: true, quiet_mode: false },
      overclock: {
        modded_psu: false,
        preset: String(currentPreset(machine)),
        globals: { volt: 1270, freq: 555 },
        chains: machine.sample().boards.map((board) => ({
          freq: 555,
          chips: new Array<number>(board.chipsFound).fill(0),
          disabled: board.chipsFound === 0,
        })),
        preset_switcher: SWITCHER,
      },
      pools: slots,
    },
    ui: { theme: 'auto', locale: 'en', timezone: 'GMT' },
    regional: { timezone: { current: 'GMT' } },
    network: {
      hostname: machine.identity.hostname,
      dhcp: true,
      ipaddress: machine.identity.ip,
      netmask: '255.0.0.0',
      gateway: '127.0.0.1',
      dnsservers: ['127.0.0.1'],
    },
    password: null,
    layout: null,
  };
}

function info(machine: Machine) {
  const { identity } = machine;
  const s = machine.sample();
  const model = identity.model.model;
  const hours = Math.floor(s.elapsed / 3600);
  return {
    miner: model,
    model: model
      .replace(/^Antminer\s+/, '')
      .replace(/[\s+]/g, '')
      .toLowerCase(),
    fw_name: 'Vnish',
    fw_version: '1.2.7',
    build_uuid: '00000000-0000-4000-8000-000000000000',
    build_name: 'vnishus',
    platform: 'aml',
    install_type: 'nand',
    build_time: '2025-12-22 19:12:30',
    algorithm: 'sha256d',
    hr_measure: 'GH/s',
    system: {
      os: 'GNU/Linux',
      miner_name: model,
      file_system_version: '',
      mem_total: 243704,
      mem_free: 175240,
      mem_free_percent: 71,
      mem_buf: 33936,
      mem_buf_percent: 13,
      network_status: {
        mac: identity.mac.toUpperCase(),
        dhcp: true,
        ip: identity.ip,
        netmask: '255.0.0.0',
        gateway: '127.0.0.1',
        dns: ['127.0.0.1'],
        hostname: identity.hostname,
      },
      uptime: `${hours}:${String(Math.floor((s.elapsed % 3600) / 60)).padStart(2, '0')}`,
    },
    serial: 'N/A',
  };
}

function summary(machine: Machine) {
  const s = machine.report(machine.sample());
  const temps = (values: number[]) => ({ min: Math.min(...values), max: Math.max(...values) });
  return {
    miner: {
      miner_status: { miner_state: s.asleep ? 'stopped' : 'mining', miner_state_time: s.elapsed },
      miner_type: `${machine.identity.model.model} (Vnish 1.2.7)`,
      hr_stock: s.ratedGhs,
      average_hashrate: s.ghsAv / 1000,
      instant_hashrate: s.ghs5s / 1000,
      hr_realtime: s.ghs5s,
      hr_nominal: s.ratedGhs,
      hr_average: s.ghsAv,
      pcb_temp: temps(s.boards.map((board) => board.boardTempC)),
      chip_temp: temps(s.boards.map((board) => board.chipTempC)),
      power_consumption: s.powerW,
      power_usage: s.powerW,
      power_efficiency: s.ghs5s > 0 ? s.powerW / (s.ghs5s / 1000) : 0,
      hw_errors_percent: 0.0,
      hr_error: 0.0,
      hw_errors: 0,
      devfee_percent: 2.8,
      devfee: s.ghsAv * 0.028,
      pools: machine.poolRows().map((row) => ({
        id: row.index,
        url: row.url,
        pool_type: 'UserPool',
        user: row.user,
        status: row.active ? 'active' : row.enabled ? 'working' : 'disabled',
        asic_boost: true,
        diff: row.active ? '262K' : '',
        accepted: row.accepted,
        rejected: row.rejected,
        stale: row.stale,
        ls_diff: row.active ? 262144.0 : 0.0,
        ls_time: row.active ? '0:00:05' : '0',
        diffa: row.accepted * 262144.0,
        ping: row.active ? 8 : 0,
      })),
      cooling: {
        fan_num: s.fansRpm.length,
        fans: s.fansRpm.map((rpm, id) => ({ id, rpm, status: 'ok', max_rpm: 6500 })),
        settings: { mode: { name: 'auto' } },
        fan_duty: s.asleep ? 20 : 90,
      },
      chains: s.boards.map((board, i) => ({
        id: i + 1,
        frequency: board.chipsFound > 0 ? 495.0 : 0,
        voltage: board.chipsFound > 0 ? 13000 : 0,
        power_consumption: board.powerW,
        hashrate_ideal: board.idealGhs,
        hashrate_rt: board.ghs5s,
        hashrate_percentage: board.idealGhs > 0 ? (board.ghs5s / board.idealGhs) * 100 : 0,
        hr_error: 0.0,
        hw_errors: 0,
        pcb_temp: { min: board.boardTempC, max: board.boardTempC },
        chip_temp: { min: board.chipTempC, max: board.chipTempC },
        chip_statuses: { red: 0, orange: 0, grey: board.chipsFound },
        status: { state: board.chipsFound === 0 ? 'failure' : s.asleep ? 'stopped' : 'mining' },
      })),
      found_blocks: 0,
      best_share: 0,
      psu: { temps: { pfc_temp: 44, llc1_temp: 45, llc2_temp: 47 }, psu_power_metering: true },
    },
  };
}
