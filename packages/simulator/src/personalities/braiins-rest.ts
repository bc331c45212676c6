import type { Machine } from '../machine.js';
import type { PoolSetting } from '../pools.js';
import type { Sample } from '../telemetry.js';
import type { ApiAnswer, ApiRequest, TokenApiSpec } from '../web/index.js';

/**
 * The REST API of Braiins OS 25.07 (`/api/v1`, corpus `braiins/rest-v1/`) on the web port: `POST auth/login
 * {username, password}` → `{token, timeout_s}`, the token raw in `Authorization`. Reads: version, miner details,
 * stats, errors and hashboards, cooling, pools, tuner state, miner configuration, network, locate state. Writes:
 * `PUT pools/batch` (the first group's pools), `actions/{locate,pause,resume,restart,reboot}`,
 * `performance/power-target {watt}`. What a PUT answers is not recorded: the pools, the locate state, or 204.
 */
export function braiinsRest(machine: Machine): TokenApiSpec {
  return {
    loginPath: '/api/v1/auth/login',
    accepts: (body, login) =>
      isObject(body) && body.username === login.username && body.password === login.password,
    loginReply: (token) => ({ token, timeout_s: 3600 }),
    tokenOf: (authorization) => authorization,
    route: (request) => route(machine, request),
  };
}

const ghs = (value: number) => ({ gigahash_per_second: value });

function route(machine: Machine, { method, path, body }: ApiRequest): ApiAnswer | undefined {
  const key = `${method} ${path.replace(/^\/api\/v1\//, '').replace(/\/$/, '')}`;
  switch (key) {
    case 'GET version':
      return ok({ major: 1, minor: 0, patch: 0 });
    case 'GET miner/details':
      return ok(details(machine));
    case 'GET miner/stats':
      return ok(stats(machine.report(machine.sample())));
    case 'GET miner/errors':
      return ok({ errors: errors(machine.sample()) });
    case 'GET miner/hw/hashboards':
      return ok({ hashboards: hashboards(machine.sample()) });
    case 'GET cooling/state':
      return ok(cooling(machine.sample()));
    case 'GET pools':
      return ok(pools(machine));
    case 'GET performance/tuner-state':
      return ok(tunerState(machine));
    case 'GET configuration/miner':
      return ok({
        pool_groups: [],
        tuner: {
          enabled: true,
          hashrate_target: null,
          power_target: { watt: target(machine) },
          tuner_mode: 1,
        },
      });
    case 'GET network':
      return ok(network(machine));
    case 'GET actions/locate':
      return ok(machine.led);
    case 'PUT actions/locate':
      if (typeof body !== 'boolean') return bad('locate takes true or false');
      machine.setLed(body);
      return ok(machine.led);
    case 'PUT actions/pause':
      machine.setAsleep(true);
      return { status: 204 };
    case 'PUT actions/resume':
    case 'PUT actions/start':
      machine.setAsleep(false);
      return { status: 204 };
    case 'PUT actions/restart':
      machine.restartMining();
      return { status: 204 };
    case 'PUT actions/reboot':
      machine.reboot();
      return { status: 204 };
    case 'PUT performance/power-target': {
      const watt = isObject(body) ? body.watt : undefined;
      if (typeof watt !== 'number' || !Number.isInteger(watt) || watt < 100 || watt > 20_000)
        return bad('power target needs a whole number of watts');
      machine.setPowerLimit(watt);
      return { status: 204 };
    }
    case 'PUT pools/batch': {
      const settings = poolGroup(body);
      if (typeof settings === 'string') return bad(settings);
      machine.configurePools(settings);
      return ok(pools(machine));
    }
    default:
      return undefined;
  }
}

const ok = (json: unknown): ApiAnswer => ({ status: 200, json });
const bad = (error: string): ApiAnswer => ({ status: 400, json: { error } });

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The first group's pools of a `pools/batch` body, or what is wrong with it. */
function poolGroup(body: unknown): PoolSetting[] | string {
  if (!Array.isArray(body) || body.length === 0 || !isObject(body[0])) return 'a list of pool groups';
  const list = body[0].pools;
  if (!Array.isArray(list) || list.length === 0) return 'a group needs pools';
  const settings: PoolSetting[] = [];
  for (const pool of list) {
    if (!isObject(pool) || typeof pool.url !== 'string' || typeof pool.user !== 'string')
      return 'a pool needs url and user';
    settings.push({
      url: pool.url,
      user: pool.user,
      password: typeof pool.password === 'string' ? pool.password : '',
    });
  }
  return settings;
}

/** The power target: the one a command set, else the model's rated power. */
function target(machine: Machine): number {
  return machine.powerLimitW ?? machine.identity.model.powerW;
}

function details(machine: Machine) {
  const s = machine.sample();
  const { identity } = machine;
  return {
    bos_mode: 4,
    bos_version: {
      bos_plus: true,
      current: '2025-08-06-0-3881c51d-25.07-plus',
      major: '2022-09-13-0-11012d53-22.08-plus',
    },
    bosminer_uptime_s: s.elapsed,
    control_board_soc_family: 3,
    hostname: identity.hostname,
    kernel_version: '4.9.113',
    mac_address: identity.mac,
    miner_identity: { brand: 1, miner_model: identity.model.model, model: 18, name: identity.model.model },
    platform: 4,
    psu_info: {
      fw_version: null,
      max_voltage: { volt: 15.2 },
      min_voltage: { volt: 11.96 },
      model_name: 'APW121215d/e',
      serial_number: null,
      version: 117,
    },
    // BOS reports null where it could not read the board's EEPROM, as the recorded S19 XP does.
    serial_number: null,
    // Braiins' MinerStatus: 2 normal, 3 paused.
    status: s.asleep ? 3 : 2,
    sticker_hashrate: ghs(s.ratedGhs),
    system_uptime: s.elapsed,
    system_uptime_s: s.elapsed,
    uid: identity.serial.slice(0, 16),
  };
}

function rates(rate: number, average: number) {
  return {
    last_15m: ghs(average),
    last_15s: ghs(rate),
    last_1h: ghs(average),
    last_1m: ghs(rate),
    last_24h: ghs(average),
    last_30m: ghs(average),
    last_30s: ghs(rate),
    last_5m: ghs(average),
    last_5s: ghs(rate),
    since_restart: ghs(average),
  };
}

function shareStats(s: Sample) {
  return {
    accepted_shares: s.accepted,
    best_share: 0,
    generated_work: Math.round(s.ghsAv * s.elapsed),
    last_difficulty: 262_144,
    last_share_time: { nanos: 0, seconds: s.when },
    rejected_shares: s.rejected,
    stale_shares: s.stale,
  };
}

function stats(s: Sample) {
  return {
    miner_stats: {
      best_share: 0,
      error_hashrate: { megahash_per_second: 0.0 },
      found_blocks: 0,
      nominal_hashrate: ghs(s.ratedGhs),
      real_hashrate: rates(s.ghs5s, s.ghsAv),
    },
    pool_stats: shareStats(s),
    power_stats: {
      approximated_consumption: { watt: s.powerW },
      efficiency: { joule_per_terahash: s.ghs5s > 0 ? s.powerW / (s.ghs5s / 1000) : 0 },
    },
  };
}

/** A board the controller lost, as BOS logs it; nothing otherwise. */
function errors(s: Sample) {
  return s.boards.flatMap((board, i) =>
    board.chipsFound > 0
      ? []
      : [
          {
            components: [],
            error_codes: [],
            message: `Hashboard ${i + 1}: no chips found`,
            timestamp: new Date(s.when * 1000).toISOString(),
          },
        ],
  );
}

function hashboards(s: Sample) {
  return s.boards.map((board, i) => ({
    board_name: 'BHB56801',
    board_temp: { degree_c: board.boardTempC },
    chip_type: 'BM1366',
    chips_count: board.chipsFound,
    current_frequency: { hertz: board.chipsFound > 0 ? 486_704_545.0 : 0 },
    current_voltage: { volt: board.chipsFound > 0 ? 12.94 : 0 },
    enabled: board.chipsFound > 0,
    highest_chip_temp: { id: 1, location: 1, temperature: { degree_c: board.chipTempC } },
    highest_outlet_temp: { degree_c: board.outletTempC },
    id: String(i + 1),
    lowest_inlet_temp: { degree_c: board.inletTempC },
    model: 'BHB56801',
    serial_number: `SIM${String(i + 1).padStart(14, '0')}`,
    stats: {
      best_share: 0,
      error_hashrate: { megahash_per_second: 0.0 },
      found_blocks: 0,
      nominal_hashrate: ghs(s.ratedGhs / s.boards.length),
      real_hashrate: rates(board.ghs5s, board.ghsAv),
    },
  }));
}

function cooling(s: Sample) {
  const hottest = s.boards.reduce((max, board) => Math.max(max, board.chipTempC), 0);
  return {
    fans: s.fansRpm.map((rpm, position) => ({ position, rpm, target_speed_ratio: s.asleep ? 0.2 : 1.0 })),
    highest_temperature: { id: null, location: 1, temperature: { degree_c: hottest } },
  };
}

function pools(machine: Machine) {
  const when = machine.when;
  return [
    {
      name: 'hashinsight',
      pools: machine.poolRows().map((row) => ({
        active: row.active,
        alive: row.enabled,
        enabled: row.enabled,
        stats: {
          accepted_shares: row.accepted,
          best_share: 0,
          generated_work: 0,
          last_difficulty: 262_144,
          last_share_time: { nanos: 0, seconds: when },
          rejected_shares: row.rejected,
          stale_shares: row.stale,
        },
        uid: `pool${row.index}`,
        url: row.url,
        user: row.user,
      })),
      strategy: { quota: { value: 1 } },
    },
  ];
}

function tunerState(machine: Machine) {
  const s = machine.sample();
  const watt = target(machine);
  return {
    mode_state: {
      powertargetmodestate: {
        current_target: { watt },
        profile: {
          created: { nanos: 0, seconds: s.when - s.elapsed },
          estimated_power_consumption: { watt: s.powerW },
          measured_hashrate: ghs(s.ratedGhs),
          target: { watt },
        },
      },
    },
    overall_tuner_state: 2,
  };
}

function network(machine: Machine) {
  const { identity } = machine;
  return {
    default_gateway: '127.0.0.1',
    dns_servers: ['127.0.0.1'],
    hostname: identity.hostname,
    mac_address: identity.mac,
    name: 'eth0',
    networks: [{ address: identity.ip, netmask: '255.0.0.0' }],
    protocol: 1,
  };
}
