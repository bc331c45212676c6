import type { PoolSetting } from '../../driver.js';
import { MinerError } from '../../errors.js';
import type { WebBody } from '../../transports/http/index.js';
import type { MinerConf } from './conf.js';

/** The stock web CGIs that control a miner (asic-protocols.md §3). */
export const CGI = {
  conf: '/cgi-bin/get_miner_conf.cgi',
  setConf: '/cgi-bin/set_miner_conf.cgi',
  blink: '/cgi-bin/blink.cgi',
  reboot: '/cgi-bin/reboot.cgi',
  passwd: '/cgi-bin/passwd.cgi',
  systemInfo: '/cgi-bin/get_system_info.cgi',
} as const;

/**
 * `passwd.cgi` on X19+ firmware: the current password again as a check, the new one twice, as the web UI and
 * pyasic's `update_pwd` send them. The web user itself (`root`) cannot be renamed on stock firmware.
 */
export function passwdBody(current: string, next: string): WebBody {
  return { json: { curPwd: current, newPwd: next, confirmPwd: next } };
}

/** What a `set_miner_conf.cgi` write changes; everything else is written back as the conf reported it. */
export interface ConfChange {
  pools?: readonly PoolSetting[];
  asleep?: boolean;
}

/**
 * The `set_miner_conf.cgi` body that applies `change` to `conf`, in the form the firmware takes. The CGI keeps
 * three pool slots: fewer pools leave the rest empty, as the web UI does.
 */
export function setConfBody(conf: MinerConf, change: ConfChange): WebBody {
  const pools = [...(change.pools ?? conf.pools)];
  while (pools.length < 3) pools.push({ url: '', user: '', password: '' });
  return conf.body === 'json' ? jsonBody(conf, pools, change.asleep) : formBody(conf, pools, change.asleep);
}

/** `blink.cgi`: JSON on X19+ (answered B000 on, B100 off), a form action on older firmware. */
export function blinkBody(conf: MinerConf, on: boolean): WebBody {
  return conf.body === 'json'
    ? { json: { blink: on } }
    : { form: [['action', on ? 'startBlink' : 'stopBlink']] };
}

/**
 * X19+: the five fields the stock web UI posts. `miner-mode` is 0 normal or 1 sleep (pyasic, foreman) and
 * otherwise keeps the mode the conf reports (3 is low power); it is a number, as both send it. `freq-level` keeps
 * the conf's string ("100"), as pyasic and foreman's sleep request send it; empty or absent settings take the
 * values foreman falls back to.
 */
function jsonBody(conf: MinerConf, pools: PoolSetting[], asleep: boolean | undefined): WebBody {
  return {
    json: {
      'bitmain-fan-ctrl': conf.fanCtrl,
      'bitmain-fan-pwm': conf.fanPwm || '100',
      'miner-mode': asleep === undefined ? minerMode(conf) : asleep ? 1 : 0,
      'freq-level': conf.freqLevel || '100',
      pools: pools.map(({ url, user, password }) => ({ url, user, pass: password })),
    },
  };
}

function minerMode(conf: MinerConf): number {
  if (!conf.workMode) return 0;
  if (/^\d{1,3}$/.test(conf.workMode)) return Number(conf.workMode);
  throw new MinerError('MINER_BAD_REPLY', 'get_miner_conf.cgi: bitmain-work-mode is not a number');
}

/**
 * Old firmware (S9, L3, X17): a shell CGI that reads the fields by position, not by name (bitmaintech
 * Antminer_firmware `set_miner_conf.cgi`), so their order is fixed. X17 reads `_ant_voltage` and `_ant_work_mode`
 * (0 normal, 254 sleep) after the frequency; they are sent whenever the conf has them, so the write keeps them.
 */
function formBody(conf: MinerConf, pools: PoolSetting[], asleep: boolean | undefined): WebBody {
  if (asleep !== undefined && conf.workMode === undefined) {
    throw new MinerError(
      'MINER_UNSUPPORTED',
      'this firmware has no sleep mode (its conf has no bitmain-work-mode)',
    );
  }
  const workMode = asleep === undefined ? conf.workMode : asleep ? '254' : '0';
  if (workMode !== undefined && conf.voltage === undefined) {
    // By position, the work mode would land where the CGI reads the voltage.
    throw new MinerError(
      'MINER_BAD_REPLY',
      'get_miner_conf.cgi has bitmain-work-mode without bitmain-voltage',
    );
  }
  const form: [string, string][] = pools.flatMap(({ url, user, password }, i): [string, string][] => [
    [`_ant_pool${i + 1}url`, url],
    [`_ant_pool${i + 1}user`, user],
    [`_ant_pool${i + 1}pw`, password],
  ]);
  form.push(
    ['_ant_nobeeper', String(conf.noBeeper)],
    ['_ant_notempoverctrl', String(conf.noTempOverCtrl)],
    ['_ant_fan_customize_switch', String(conf.fanCtrl)],
    ['_ant_fan_customize_value', conf.fanPwm ?? ''],
    ['_ant_freq', conf.freq ?? ''],
  );
  if (conf.voltage !== undefined) form.push(['_ant_voltage', conf.voltage]);
  if (workMode !== undefined) form.push(['_ant_work_mode', workMode]);
  for (const [name, value] of form) {
    if (!FORM_SAFE.test(value)) {
      throw new MinerError(
        'MINER_BAD_ARGUMENT',
        `${name} has a character this firmware's form would store mangled (it accepts letters, digits, space and ${FORM_PUNCTUATION})`,
      );
    }
  }
  return { form };
}

/**
 * What the old CGI carries intact. It percent-decodes only these characters (and `+` as a space), then writes the
 * values into cgminer.conf unescaped: a `"` or `\` would corrupt the file, `%` is decoded twice, and anything
 * else would be stored still encoded, so a pool would get a password it was never given.
 */
const FORM_PUNCTUATION = '.-_:/@+#$&;<=>?[]^|,';
const FORM_SAFE = /^[A-Za-z0-9 .\-_:/@+#$&;<=>?[\]^|,]*$/;
