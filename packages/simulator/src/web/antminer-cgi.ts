import type { Machine } from '../machine.js';
import type { PoolSetting } from '../pools.js';

/** What a CGI answers. */
export interface CgiResponse {
  status: number;
  contentType: string;
  body: string;
}

/** An authenticated request to a CGI. */
export interface CgiRequest {
  method: string;
  path: string;
  contentType: string;
  body: string;
}

/** Stock firmware always has three pool slots; unused ones have empty fields. */
const POOL_SLOTS = 3;
/** `miner-mode` / `bitmain-work-mode`: 0 normal, 1 sleep, 3 low power (pyasic; some tools send 2 for it). */
const MINER_MODES: Readonly<Record<string, 'normal' | 'sleep' | 'low'>> = {
  '0': 'normal',
  '1': 'sleep',
  '2': 'low',
  '3': 'low',
};
/** Old (X17 and before) `_ant_work_mode`: 254 puts the miner to sleep, 0 wakes it. */
const OLD_SLEEP = '254';
/** Where the old form puts `_ant_work_mode` (after the pools, fan, frequency and voltage fields). */
const OLD_WORK_MODE_POSITION = 15;

const json = (value: unknown, status = 200): CgiResponse => ({
  status,
  contentType: 'application/json',
  body: JSON.stringify(value, null, '\t'),
});
const text = (body: string, status = 200): CgiResponse => ({ status, contentType: 'text/plain', body });

/**
 * The stock Antminer web CGIs under `/cgi-bin/`, with bodies shaped like the corpus' `antminer-cgi/` files:
 * system and network info, miner config read and write (X19 JSON and the old positional form), blink (LED) and
 * its status, reboot. Writing the config restarts the miner program, as bmminer does. Fan settings are kept only
 * to be read back.
 */
export class AntminerCgi {
  #fan = { control: false, pwm: '100' };
  #freqLevel = '100';

  constructor(private readonly machine: Machine) {}

  handle(request: CgiRequest): CgiResponse {
    switch (request.path) {
      case '/cgi-bin/get_system_info.cgi':
        return json(this.#systemInfo());
      case '/cgi-bin/get_network_info.cgi':
        return json(this.#networkInfo());
      case '/cgi-bin/get_miner_conf.cgi':
        return json(this.#conf());
      case '/cgi-bin/set_miner_conf.cgi':
        return this.#setConf(request);
      case '/cgi-bin/blink.cgi':
        return this.#blink(request);
      case '/cgi-bin/get_blink_status.cgi':
        return json({ blink: this.machine.led });
      case '/cgi-bin/passwd.cgi':
        return this.#passwd(request);
      case '/cgi-bin/reboot.cgi':
        // The CGI runs `reboot`, which kills it before it answers: lighttpd reports a 500 (foreman's tests too).
        this.machine.reboot();
        return text('', 500);
      default:
        return {
          status: 404,
          contentType: 'text/html',
          body: '<html><head><title>404 - Not Found</title></head><body><h1>404 - Not Found</h1></body></html>',
        };
    }
  }

  #systemInfo() {
    const { identity } = this.machine;
    return {
      minertype: identity.model.model,
      nettype: 'DHCP',
      netdevice: 'eth0',
      macaddr: identity.mac.toUpperCase(),
      hostname: identity.hostname,
      ipaddress: identity.ip,
      netmask: '255.255.255.0',
      gateway: '',
      dnsservers: '',
      system_mode: 'GNU/Linux',
      system_kernel_version: 'Linux 4.9.113 #1 SMP PREEMPT Thu Jul 11 17:01:13 CST 2024',
      system_filesystem_version: 'Thu Jul 11 16:38:25 CST 2024',
      firmware_type: 'Release',
      serinum: identity.serial.toUpperCase(),
    };
  }

  #networkInfo() {
    const { identity } = this.machine;
    return {
      nettype: 'DHCP',
      netdevice: 'eth0',
      macaddr: identity.mac.toUpperCase(),
      ipaddress: identity.ip,
      netmask: '255.255.255.0',
      conf_nettype: 'DHCP',
      conf_hostname: identity.hostname,
      conf_ipaddress: '',
      conf_netmask: '',
      conf_gateway: '',
      conf_dnsservers: '',
    };
  }

  #conf() {
    const pools = this.machine
      .state()
      .pools.map(({ url, user, password }) => ({ url, user, pass: password }));
    while (pools.length < POOL_SLOTS) pools.push({ url: '', user: '', pass: '' });
    const mode = this.machine.asleep ? '1' : this.machine.powerMode === 'low' ? '3' : '0';
    return {
      pools: pools.slice(0, POOL_SLOTS),
      'api-listen': true,
      'api-network': true,
      'api-groups': 'A:stats:pools:devs:summary:version',
      'api-allow': 'A:0/0,W:*',
      'bitmain-fan-ctrl': this.#fan.control,
      'bitmain-fan-pwm': this.#fan.pwm,
      'bitmain-use-vil': true,
      'bitmain-freq': '500',
      'bitmain-voltage': '1280',
      'bitmain-ccdelay': '0',
      'bitmain-pwth': '0',
      'bitmain-work-mode': mode,
      'bitmain-freq-level': this.#freqLevel,
    };
  }

  /** X19 JSON body, or the old form whose fields the CGI reads by position, whatever their names. */
  #setConf(request: CgiRequest): CgiResponse {
    const body = request.body.trim();
    const parsed = body.startsWith('{') ? parseJsonConf(body) : parseOldConf(body);
    if (typeof parsed === 'string') return text(parsed, 400);
    if (parsed.pools !== undefined) this.machine.configurePools(parsed.pools);
    if (parsed.mode !== undefined) {
      this.machine.setAsleep(parsed.mode === 'sleep');
      this.machine.setPowerMode(parsed.mode === 'low' ? 'low' : 'normal');
    }
    if (parsed.fan !== undefined) this.#fan = parsed.fan;
    if (parsed.freqLevel !== undefined) this.#freqLevel = parsed.freqLevel;
    // bmminer restarts with the new config last: work done at the old settings, even in the millisecond the
    // clock may tick between these calls, must not count towards the new run's average.
    this.machine.restartMining();
    return text('ok');
  }

  /**
   * X19 `{"curPwd","newPwd","confirmPwd"}`: the current password must match and the new one be given twice; the
   * web user stays. The new password applies from the next request on (the login is read per request).
   */
  #passwd(request: CgiRequest): CgiResponse {
    const current = field(request.body, 'curPwd');
    const next = field(request.body, 'newPwd');
    if (
      typeof current !== 'string' ||
      typeof next !== 'string' ||
      next !== field(request.body, 'confirmPwd')
    ) {
      return json({ stats: 'error', code: 'P001', msg: 'new passwords differ' });
    }
    if (current !== this.machine.credentials.password) {
      return json({ stats: 'error', code: 'P002', msg: 'current password is wrong' });
    }
    if (!/^[\x21-\x7e]{1,128}$/.test(next)) {
      return json({ stats: 'error', code: 'P003', msg: 'invalid password' });
    }
    this.machine.setLogin(this.machine.credentials.username, next);
    return json({ stats: 'success', code: 'P000', msg: 'OK!' });
  }

  /** X19 `{"blink":true}` (pyasic sends "true") or the old form `action=startBlink|stopBlink`. */
  #blink(request: CgiRequest): CgiResponse {
    const body = request.body.trim();
    if (body.startsWith('{')) {
      const blink = field(body, 'blink');
      if (blink !== true && blink !== false && blink !== 'true' && blink !== 'false') {
        return text('blink must be true or false', 400);
      }
      const on = blink === true || blink === 'true';
      this.machine.setLed(on);
      return json({ code: on ? 'B000' : 'B100' });
    }
    const action = new URLSearchParams(body).get('action');
    if (action !== 'startBlink' && action !== 'stopBlink') return text('unknown action', 400);
    this.machine.setLed(action === 'startBlink');
    return text('');
  }
}

interface ConfChange {
  pools?: PoolSetting[];
  mode?: 'normal' | 'sleep' | 'low';
  fan?: { control: boolean; pwm: string };
  freqLevel?: string;
}

/** A JSON body's top-level field, or undefined when the body is not a JSON object. */
function field(body: string, name: string): unknown {
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
  } catch {
    return undefined;
  }
}

/** Reads the X19 JSON config; a string is why it was refused (never echoing a password). */
function parseJsonConf(body: string): ConfChange | string {
  let conf: unknown;
  try {
    conf = JSON.parse(body);
  } catch {
    return 'body is not JSON';
  }
  if (typeof conf !== 'object' || conf === null || Array.isArray(conf)) return 'body is not a JSON object';
  const fields = conf as Record<string, unknown>;
  const change: ConfChange = {};
  if (fields.pools !== undefined) {
    const pools = poolsOf(fields.pools);
    if (pools === undefined)
      return `pools must be up to ${POOL_SLOTS} objects with url, user and pass strings`;
    change.pools = pools;
  }
  if (fields['miner-mode'] !== undefined) {
    const mode = MINER_MODES[String(fields['miner-mode'])];
    if (mode === undefined) return 'miner-mode must be 0, 1, 2 or 3';
    change.mode = mode;
  }
  const control = fields['bitmain-fan-ctrl'];
  const pwm = fields['bitmain-fan-pwm'];
  if (control !== undefined || pwm !== undefined) {
    if (typeof control !== 'boolean' || !/^\d{1,3}$/.test(String(pwm))) {
      return 'bitmain-fan-ctrl must be a boolean and bitmain-fan-pwm a percentage';
    }
    change.fan = { control, pwm: String(pwm) };
  }
  if (fields['freq-level'] !== undefined) change.freqLevel = String(fields['freq-level']);
  return change;
}

function poolsOf(value: unknown): PoolSetting[] | undefined {
  if (!Array.isArray(value) || value.length > POOL_SLOTS) return undefined;
  const pools: PoolSetting[] = [];
  for (const pool of value) {
    if (typeof pool !== 'object' || pool === null) return undefined;
    const { url, user, pass } = pool as Record<string, unknown>;
    if (typeof url !== 'string' || typeof user !== 'string' || typeof pass !== 'string') return undefined;
    pools.push({ url, user, password: pass });
  }
  return pools;
}

/**
 * The old form, read by position like the firmware's shell script: values 1-9 are pool 1-3 url/user/password,
 * value 16 the work mode. Names are not looked at, so a client that sends fields out of order configures the
 * wrong things here as on a real miner.
 */
function parseOldConf(body: string): ConfChange | string {
  const values = [...new URLSearchParams(body).values()];
  if (values.length < POOL_SLOTS * 3) return `the old form needs at least ${POOL_SLOTS * 3} fields`;
  const pools = Array.from({ length: POOL_SLOTS }, (_, slot) => ({
    url: values[slot * 3] ?? '',
    user: values[slot * 3 + 1] ?? '',
    password: values[slot * 3 + 2] ?? '',
  }));
  const workMode = values[OLD_WORK_MODE_POSITION];
  if (workMode === undefined) return { pools };
  return { pools, mode: workMode === OLD_SLEEP ? 'sleep' : 'normal' };
}
