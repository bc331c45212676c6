import type { PoolSetting } from '../../driver.js';
import { MinerError } from '../../errors.js';

/**
 * What `get_miner_conf.cgi` reports that a `set_miner_conf.cgi` write must carry back, so a write changes only
 * what it means to change: the CGI replaces the whole cgminer.conf with what it is sent.
 */
export interface MinerConf {
  /**
   * How `set_miner_conf.cgi` wants its body. X19 and later (S19, S21) take JSON and report `bitmain-freq-level`,
   * the very setting that JSON carries as `freq-level`; X17 and older (S17, S9, L3) take a positional form and
   * have no such key. (foreman keys on `bitmain-pwth`, which every X19+ conf in the corpus also has.)
   */
  body: 'json' | 'form';
  pools: PoolSetting[];
  fanCtrl: boolean;
  fanPwm: string | undefined;
  freq: string | undefined;
  freqLevel: string | undefined;
  voltage: string | undefined;
  /** `bitmain-work-mode`: X17 0 normal, 254 sleep; X19 0 normal, 1 sleep, 3 low power. */
  workMode: string | undefined;
  noBeeper: boolean;
  noTempOverCtrl: boolean;
}

/**
 * Parses a `get_miner_conf.cgi` body. It may start with blank lines, and some builds print an empty value for
 * `bitmain-fan-ctrl` (`"bitmain-fan-ctrl" : ,`), which foreman reads as false and so do we. A shape we do not
 * understand is MINER_BAD_REPLY: writing back a conf we misread could change the miner's fan or clock settings.
 * Errors never quote the body, which holds every pool password.
 */
export function parseMinerConf(text: string): MinerConf {
  let conf: unknown;
  try {
    conf = JSON.parse(text.replace(/("bitmain-fan-ctrl"\s*:\s*),/, '$1false,').trim());
  } catch {
    throw new MinerError('MINER_BAD_REPLY', `get_miner_conf.cgi is not JSON (${text.length} characters)`);
  }
  if (!isObject(conf)) throw new MinerError('MINER_BAD_REPLY', 'get_miner_conf.cgi is not a JSON object');
  return {
    body: 'bitmain-freq-level' in conf ? 'json' : 'form',
    pools: confPools(conf.pools),
    fanCtrl: flag(conf, 'bitmain-fan-ctrl'),
    fanPwm: setting(conf, 'bitmain-fan-pwm'),
    freq: setting(conf, 'bitmain-freq'),
    freqLevel: setting(conf, 'bitmain-freq-level'),
    voltage: setting(conf, 'bitmain-voltage'),
    workMode: setting(conf, 'bitmain-work-mode'),
    noBeeper: flag(conf, 'bitmain-nobeeper'),
    noTempOverCtrl: flag(conf, 'bitmain-notempoverctrl'),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function confPools(value: unknown): PoolSetting[] {
  if (!Array.isArray(value) || value.length > 3 || !value.every(isPool)) {
    throw new MinerError(
      'MINER_BAD_REPLY',
      'get_miner_conf.cgi: pools is not a list of up to 3 {url, user, pass}',
    );
  }
  return value.map(({ url, user, pass }) => ({ url, user, password: pass }));
}

function isPool(value: unknown): value is { url: string; user: string; pass: string } {
  return (
    isObject(value) &&
    typeof value.url === 'string' &&
    typeof value.user === 'string' &&
    typeof value.pass === 'string'
  );
}

/** Old CGIs write these as bare `true`; some builds quote them. Absent is false. */
function flag(conf: Record<string, unknown>, key: string): boolean {
  const value = conf[key];
  if (value === undefined || value === false || value === 'false') return false;
  if (value === true || value === 'true') return true;
  throw new MinerError('MINER_BAD_REPLY', `get_miner_conf.cgi: ${key} is not true or false`);
}

/** A setting the firmware prints as a string ("675", "O"); a number is taken as its decimal text. */
function setting(conf: Record<string, unknown>, key: string): string | undefined {
  const value = conf[key];
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string' && value.length <= 64) return value;
  throw new MinerError('MINER_BAD_REPLY', `get_miner_conf.cgi: ${key} is not a short string`);
}
