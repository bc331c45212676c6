import { createHash, randomBytes } from 'node:crypto';
import { decrypt, encrypt, isBase64, md5CryptHash } from '@hashinsight/miners';
import type { Reply } from '../cgminer/index.js';
import type { Credentials, Machine } from '../machine.js';

/**
 * btminer's privileged API (WhatsMiner API 2.0.5, see @hashinsight/miners transports/btminer): `get_token` hands
 * out a time and a salt for a new token; an `{"enc":1,"data":..}` request is decrypted with the AES key of the
 * admin password (sha256 of its md5-crypt hash with this miner's salt) and must carry the sign of a live token.
 * The result goes back encrypted with the same key. A request the miner cannot use is refused in the clear:
 * 137 (not base64), 23 (no JSON inside, which is what a wrong password's key gives), 135 (no live token of ours).
 * Tokens live 30 minutes of the miner's clock, 32 at most, and die with the btminer run that issued them.
 */

const TOKEN_LIFE_S = 30 * 60;
const MAX_TOKENS = 32;
const CRYPT_ALPHABET = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

interface Issued {
  time: string;
  newsalt: string;
  expiresAt: number;
  run: number;
}

/** Flat replies: STATUS letter, Code, Msg, as btminer's own commands answer. */
export type Flat = (code: number, msg: unknown, letter?: 'S' | 'E') => Reply;

export class BtminerPrivileged {
  /** The salt of the admin password's hash, fixed per miner as in its /etc/shadow. */
  readonly #salt: string;
  /** Under `wrong-password` the miner's password is one nobody was given. */
  readonly #unknownPassword = randomBytes(12).toString('base64');
  #tokens: Issued[] = [];

  constructor(
    private readonly machine: Machine,
    private readonly flat: Flat,
  ) {
    this.#salt = cryptText(createHash('sha256').update(machine.identity.serial).digest(), 8);
  }

  /** `get_token`: Code 134 with `{time, salt, newsalt}`, or 136 when this miner already has 32 live tokens. */
  getToken(): Reply {
    const live = this.#live();
    if (live.length >= MAX_TOKENS) return this.flat(136, 'token over max times', 'E');
    const token: Issued = {
      time: String(randomBytes(2).readUInt16BE() % 10_000).padStart(4, '0'),
      newsalt: cryptText(randomBytes(8), 8),
      expiresAt: this.machine.when + TOKEN_LIFE_S,
      run: this.machine.runs,
    };
    this.#tokens = [...live, token];
    return this.flat(134, { time: token.time, salt: this.#salt, newsalt: token.newsalt });
  }

  /** The reply to an `{"enc":..}` request, or undefined when `raw` is not one (a plain command). */
  answer(raw: string, login: Credentials | undefined): Reply | undefined {
    const request = parseObject(raw);
    if (request === undefined || !('enc' in request)) return undefined;
    const data = typeof request.data === 'string' ? request.data : '';
    const bytes = Buffer.from(data, 'base64');
    if (data === '' || !isBase64(data) || bytes.length % 16 !== 0) {
      return this.flat(137, 'base64 decode error', 'E');
    }
    const key = md5CryptHash(login?.password ?? this.#unknownPassword, this.#salt);
    const aesKey = createHash('sha256').update(key).digest();
    const command = parseObject(decrypt(aesKey, bytes).toString('utf8').replace(/\0+$/, ''));
    if (command === undefined) return this.flat(23, 'invalid JSON message', 'E');
    const live = this.#live();
    const signed = live.some(
      (token) =>
        typeof command.token === 'string' && md5CryptHash(key + token.time, token.newsalt) === command.token,
    );
    if (!signed) return this.flat(135, 'check token err', 'E');
    const result = this.#run(command);
    return { enc: encrypt(aesKey, Buffer.from(JSON.stringify(result))).toString('base64') };
  }

  /** Tokens still alive: unexpired and issued by this run of btminer. */
  #live(): Issued[] {
    const { when, runs } = this.machine;
    return this.#tokens.filter((token) => token.expiresAt > when && token.run === runs);
  }

  #run(command: Record<string, unknown>): Reply {
    const { machine, flat } = this;
    const text = (key: string) => (typeof command[key] === 'string' ? (command[key] as string) : undefined);
    const ok = () => flat(131, '');
    switch (command.cmd) {
      case 'update_pools': {
        const pools = [1, 2, 3]
          .map((slot) => ({
            url: text(`pool${slot}`) ?? '',
            user: text(`worker${slot}`) ?? '',
            password: text(`passwd${slot}`) ?? '',
          }))
          .filter((pool) => pool.url !== '');
        if (pools.length === 0 || pools.some((pool) => pool.user === ''))
          return flat(132, 'invalid pools', 'E');
        machine.configurePools(pools);
        return ok();
      }
      case 'restart_btminer':
        machine.restartMining();
        return ok();
      case 'reboot':
        machine.reboot();
        return ok();
      case 'power_off':
        machine.setAsleep(true);
        return ok();
      case 'power_on':
        machine.setAsleep(false);
        return ok();
      case 'set_led':
        return this.#led(command);
      case 'update_pwd': {
        // The old password again as a check; btminer takes 1-8 letters or digits (pyasic update_pwd).
        const next = text('new') ?? '';
        if (text('old') !== machine.credentials.password) return flat(132, 'old password error', 'E');
        if (!/^[A-Za-z0-9]{1,8}$/.test(next)) return flat(132, 'invalid new password', 'E');
        machine.setLogin(machine.credentials.username, next);
        return ok();
      }
      case 'get_miner_info':
        // A read through the privileged channel: proves the admin password and changes nothing.
        return flat(131, { ip: machine.identity.ip, mac: machine.identity.mac.toUpperCase() });
      case 'set_low_power':
      case 'set_normal_power':
      case 'set_high_power':
        machine.setPowerMode(
          command.cmd === 'set_low_power' ? 'low' : command.cmd === 'set_high_power' ? 'high' : 'normal',
        );
        return ok();
      case 'adjust_power_limit': {
        const watts = /^\d{1,5}$/.test(text('power_limit') ?? '') ? Number(text('power_limit')) : Number.NaN;
        // "Cannot be higher than the ordinary power of the machine" (API 2.0.5 §3.24).
        if (!(watts > 0 && watts <= machine.identity.model.powerW))
          return flat(132, 'invalid power limit', 'E');
        machine.setPowerLimit(watts);
        // btminer restarts to apply it (pyasic: "the miner will reboot after this is set").
        machine.restartMining();
        return ok();
      }
      default:
        return flat(14, 'invalid API command or data', 'E');
    }
  }

  /** `param: auto` hands the LED back to the firmware (off here); a colour with a cycle makes it blink. */
  #led(command: Record<string, unknown>): Reply {
    if (command.param === 'auto') {
      this.machine.setLed(false);
      return this.flat(131, '');
    }
    const cycle = ['period', 'duration', 'start'].every(
      (key) => typeof command[key] === 'string' && /^\d{1,6}$/.test(command[key] as string),
    );
    if (!(command.color === 'red' || command.color === 'green') || !cycle) {
      return this.flat(132, 'invalid led param', 'E');
    }
    this.machine.setLed(true);
    return this.flat(131, '');
  }
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const json: unknown = JSON.parse(text.replace(/\0+$/, '').trim());
    return typeof json === 'object' && json !== null && !Array.isArray(json)
      ? (json as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** `length` characters of crypt's alphabet from random or hashed bytes. */
function cryptText(bytes: Buffer, length: number): string {
  return Array.from(bytes.subarray(0, length), (byte) => CRYPT_ALPHABET[byte & 0x3f]).join('');
}
