import { MinerError, type MinerErrorCode } from '../../errors.js';
import { isRecord } from '../../json.js';
import { type CgminerOptions, cgminerExchange, parseReplyJson } from '../cgminer/index.js';
import { decryptReply, encryptRequest } from './frame.js';
import { deriveToken, type Token, type TokenChallenge } from './token.js';

/** How to reach a Whatsminer's privileged API: the cgminer API's port and limits, and the admin password. */
export interface BtminerOptions extends CgminerOptions {
  /** The admin password (MicroBT ships `admin`; writes need it changed once with WhatsMinerTool). */
  password: string;
  /** Clock for the token's life (default Date.now). */
  now?: () => number;
}

/** A privileged command's answer: btminer's flat STATUS, Code 131 (command OK). */
export interface BtminerReply {
  code: number;
  msg: unknown;
}

/** btminer keeps a token alive for 30 minutes (API 2.0.5 §2); a minute of margin covers clock skew. */
const TOKEN_LIFE_MS = 29 * 60_000;
const DEFAULT_PORT = 4028;

/** btminer's message codes (WhatsMiner API 2.0.5). */
const CODE = {
  invalidCommand: 14,
  invalidJson: 23,
  denied: 45,
  ok: 131,
  failed: 132,
  tokenOk: 134,
  badToken: 135,
  tooManyTokens: 136,
  badBase64: 137,
} as const;

/** Token fields go into md5-crypt and are echoed in nothing: only crypt's alphabet, bounded. */
const SALT = /^[./0-9A-Za-z]{1,16}$/;
const TIME = /^\d{1,20}$/;

/**
 * Whatsminer's privileged (write) API, btminer API v2 on TCP 4028: `get_token` in the clear, then each command
 * AES-256-ECB encrypted with a key derived from the admin password (token.ts, frame.ts). The token is kept for its
 * 30-minute life and fetched again once when the miner calls it bad (Code 135, e.g. after the miner rebooted);
 * a second 135, with a fresh token, means the password is wrong: MINER_AUTH_FAILED.
 *
 * Each exchange has the cgminer transport's limits (connect timeout, total deadline, reply size). Every failure is
 * a MinerError naming host, port and command, never the password, key or token; the password lives in a private
 * field so logging or inspecting the client shows none of it.
 */
export class BtminerClient {
  readonly #host: string;
  readonly #password: string;
  readonly #options: CgminerOptions;
  readonly #now: () => number;
  #token: Promise<{ token: Token; expiresAt: number }> | undefined;

  constructor(host: string, options: BtminerOptions) {
    const { password, now, ...limits } = options;
    this.#host = host;
    this.#password = password;
    this.#options = limits;
    this.#now = now ?? Date.now;
  }

  /** Sends one privileged command (`cmd` plus string parameters); resolves with the miner's Code 131 reply. */
  async command(cmd: string, params: Readonly<Record<string, string>> = {}): Promise<BtminerReply> {
    const first = await this.#send(cmd, params);
    if (first.reply.code !== CODE.badToken || first.fresh) return this.#judge(cmd, first.reply);
    // The token we kept has lapsed on the miner's side (a reboot, or its own count): one fresh login.
    this.#token = undefined;
    return this.#judge(cmd, (await this.#send(cmd, params)).reply);
  }

  async #send(
    cmd: string,
    params: Readonly<Record<string, string>>,
  ): Promise<{ reply: BtminerReply; fresh: boolean }> {
    const { token, fresh } = await this.#login();
    const raw = await cgminerExchange(
      this.#host,
      encryptRequest(token.aesKey, cmd, params, token.sign),
      this.#where(cmd),
      this.#options,
    );
    const reply = this.#located(cmd, () => {
      const json = parseReplyJson(raw);
      // Refusals come in the clear (the miner could not use our key); results come encrypted.
      const inner =
        isRecord(json) && typeof json.enc === 'string' ? decryptReply(token.aesKey, json.enc) : json;
      return flatStatus(inner);
    });
    return { reply, fresh };
  }

  /** The kept token while it lives, else a new one (`fresh`); a failed login is not kept. */
  async #login(): Promise<{ token: Token; fresh: boolean }> {
    const kept = this.#token;
    if (kept !== undefined) {
      const entry = await kept;
      if (entry.expiresAt > this.#now()) return { token: entry.token, fresh: false };
    }
    const login = this.#getToken().then((challenge) => ({
      token: deriveToken(this.#password, challenge),
      expiresAt: this.#now() + TOKEN_LIFE_MS,
    }));
    this.#token = login;
    try {
      return { token: (await login).token, fresh: true };
    } catch (error) {
      if (this.#token === login) this.#token = undefined;
      throw error;
    }
  }

  async #getToken(): Promise<TokenChallenge> {
    const raw = await cgminerExchange(
      this.#host,
      JSON.stringify({ cmd: 'get_token' }),
      this.#where('get_token'),
      this.#options,
    );
    return this.#located('get_token', () => {
      const reply = flatStatus(parseReplyJson(raw));
      if (reply.code !== CODE.tokenOk) throw failure('get_token', reply);
      const msg = reply.msg;
      if (
        !isRecord(msg) ||
        typeof msg.time !== 'string' ||
        !TIME.test(msg.time) ||
        typeof msg.salt !== 'string' ||
        !SALT.test(msg.salt) ||
        typeof msg.newsalt !== 'string' ||
        !SALT.test(msg.newsalt)
      ) {
        throw new MinerError('MINER_BAD_REPLY', 'get_token reply has no usable time, salt and newsalt');
      }
      return { time: msg.time, salt: msg.salt, newsalt: msg.newsalt };
    });
  }

  #judge(cmd: string, reply: BtminerReply): BtminerReply {
    if (reply.code === CODE.ok) return reply;
    if (reply.code === CODE.badToken || reply.code === CODE.invalidJson) this.#token = undefined;
    const error = failure(cmd, reply);
    throw new MinerError(error.code, `${this.#where(cmd)}: ${error.message}`);
  }

  #where(cmd: string): string {
    return `btminer '${cmd}' to ${this.#host}:${this.#options.port ?? DEFAULT_PORT}`;
  }

  /** Runs a decoder, naming the miner and command in any MinerError it throws. */
  #located<T>(cmd: string, decode: () => T): T {
    try {
      return decode();
    } catch (error) {
      if (!(error instanceof MinerError)) throw error;
      throw new MinerError(error.code, `${this.#where(cmd)}: ${error.message}`, { cause: error.cause });
    }
  }
}

/** btminer's flat reply: `{"STATUS":"S"|"E","When":..,"Code":131,"Msg":..,"Description":..}`. */
function flatStatus(json: unknown): BtminerReply {
  if (!isRecord(json) || typeof json.Code !== 'number' || !Number.isInteger(json.Code)) {
    throw new MinerError('MINER_BAD_REPLY', 'reply has no btminer STATUS and Code');
  }
  if (json.STATUS !== 'S' && json.STATUS !== 'E') {
    throw new MinerError('MINER_BAD_REPLY', `reply STATUS is ${JSON.stringify(json.STATUS)?.slice(0, 20)}`);
  }
  return { code: json.Code, msg: json.Msg };
}

/** What a refusal means for us. Msg is quoted short: it is the miner's own text, never ours. */
function failure(cmd: string, reply: BtminerReply): MinerError {
  const said = typeof reply.msg === 'string' ? ` "${reply.msg.slice(0, 80)}"` : '';
  const [code, why] = MEANING[reply.code] ?? [
    'MINER_COMMAND_FAILED' as const,
    `refused ${cmd} with Code ${reply.code}`,
  ];
  return new MinerError(code, `${why} (Code ${reply.code}${said})`);
}

const MEANING: Readonly<Record<number, readonly [MinerErrorCode, string]>> = {
  [CODE.invalidCommand]: ['MINER_UNSUPPORTED', 'this firmware does not know the command'],
  // Our JSON is well-formed, so a miner that cannot read it decrypted it with another key: another password.
  [CODE.invalidJson]: ['MINER_AUTH_FAILED', 'the miner could not read the request: wrong admin password?'],
  [CODE.denied]: [
    'MINER_AUTH_FAILED',
    'permission denied: the write API is off (enable it and change the password in WhatsMinerTool)',
  ],
  [CODE.failed]: ['MINER_COMMAND_FAILED', 'the miner could not carry out the command'],
  [CODE.badToken]: ['MINER_AUTH_FAILED', 'token refused with a fresh login: wrong admin password'],
  [CODE.tooManyTokens]: [
    'MINER_COMMAND_FAILED',
    'too many tokens for this client (32 per address, 30 min each)',
  ],
  [CODE.badBase64]: ['MINER_COMMAND_FAILED', 'the miner could not decode the request (base64)'],
};
