import { MinerError } from '../../errors.js';
import { isRecord } from '../../json.js';
import {
  type Exchanged,
  HttpSession,
  judgeResponse,
  type WebCredentials,
  WebStatusError,
} from '../http/index.js';

/**
 * How one firmware's HTTP API hands out tokens: where to log in, what to send, how the token goes back. Drivers
 * own these (Braiins OS REST `POST /api/v1/auth/login {username,password}`, VNish `POST /api/v1/unlock {pw}`).
 */
export interface TokenLogin {
  /** Names the API in errors and keys the kept token (`Braiins OS REST`). */
  api: string;
  /** Absolute path of the login request. */
  path: string;
  /** The login request's JSON body. */
  body(credentials: WebCredentials): unknown;
  /** The `Authorization` header that carries a token (raw on BOS, `Bearer ..` on VNish). */
  authorization(token: string): string;
  /** The login the firmware ships with, used when none was configured. */
  factoryLogin: WebCredentials;
}

/** Where the API listens and its limits; the same shape and defaults as the web CGI transport. */
export interface TokenHttpOptions {
  /** The configured login; without one, the firmware's factory login. */
  credentials?: WebCredentials;
  /** TCP port (default 80). */
  port?: number;
  /** How long each TCP handshake may take (default 1000 ms). */
  connectTimeoutMs?: number;
  /** Deadline for the whole call, logins included (default 10000 ms). */
  timeoutMs?: number;
  /** Largest response body accepted (default 1 MiB). */
  maxBytes?: number;
}

/** One API call. */
export interface TokenCall {
  method: 'GET' | 'POST' | 'PUT';
  /** Absolute path, e.g. `/api/v1/pools/batch`. */
  path: string;
  /** Sent as JSON; absent: no body. */
  body?: unknown;
  /**
   * The call takes the miner down (a reboot): once the request carrying our token went out, a connection that
   * drops resolves as `dropped`. A drop before that is still an error.
   */
  dropMeansDone?: boolean;
}

/** A 2xx answer: its JSON (null for an empty body or 204), or `dropped` under `dropMeansDone`. */
export interface TokenReply {
  status: number;
  json: unknown;
  dropped?: true;
}

/** Tokens go into a header: printable ASCII without spaces, bounded, so a hostile login reply cannot inject one. */
const TOKEN = /^[\x21-\x7e]{1,512}$/;
const DROPS: ReadonlySet<string> = new Set(['MINER_EMPTY_REPLY', 'MINER_CONNECTION_RESET']);

/**
 * A miner's JSON API behind a token login, over undici with the web transport's limits (connect timeout, one
 * deadline for the whole call, reply size cap, redirects refused). The token is kept between calls; a 401 on a
 * kept token (expired, or the miner rebooted) triggers one fresh login and one retry, and a 401 right after a
 * fresh login is MINER_AUTH_FAILED, as is a refused login (401/403). Every failure is a MinerError naming the
 * API, host, method and path, never the password or token; both live in private fields, so inspecting or
 * logging the client shows neither.
 */
export class TokenHttpClient {
  readonly host: string;
  readonly #login: TokenLogin;
  readonly #credentials: WebCredentials;
  readonly #options: Required<Omit<TokenHttpOptions, 'credentials'>>;
  #token: string | undefined;

  constructor(host: string, login: TokenLogin, options: TokenHttpOptions = {}) {
    this.host = host;
    this.#login = login;
    this.#credentials = { ...(options.credentials ?? login.factoryLogin) };
    this.#options = {
      port: options.port ?? 80,
      connectTimeoutMs: options.connectTimeoutMs ?? 1000,
      timeoutMs: options.timeoutMs ?? 10_000,
      maxBytes: options.maxBytes ?? 1024 * 1024,
    };
  }

  async request(call: TokenCall): Promise<TokenReply> {
    const where = `${this.#login.api} ${call.method} ${call.path} on ${this.host}:${this.#options.port}`;
    if (!/^\/[\x21-\x7e]*$/.test(call.path))
      throw new RangeError(`${where}: path must be absolute, printable ASCII`);
    const { port, ...limits } = this.#options;
    const origin = `http://${this.host.includes(':') ? `[${this.host}]` : this.host}:${port}`;
    const session = new HttpSession(origin, limits);
    let tokenSent = false;
    const send = (token: string) => {
      tokenSent = true;
      return session.send({
        method: call.method,
        path: call.path,
        headers: {
          authorization: this.#login.authorization(token),
          ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
      });
    };
    try {
      const fresh = this.#token === undefined;
      let response = await send(this.#token ?? (await this.#logIn(session)));
      if (response.status === 401) {
        if (fresh) throw new MinerError('MINER_AUTH_FAILED', 'token refused right after login');
        // The kept token lapsed (its life, or a reboot of the miner): one fresh login, one retry.
        this.#token = undefined;
        response = await send(await this.#logIn(session));
        if (response.status === 401) {
          this.#token = undefined;
          throw new MinerError('MINER_AUTH_FAILED', 'token refused right after a fresh login');
        }
      }
      return judge(response);
    } catch (error) {
      const explained = session.explain(error);
      if (call.dropMeansDone && tokenSent && DROPS.has(explained.code)) {
        return { status: 0, json: null, dropped: true };
      }
      throw located(explained, where);
    } finally {
      await session.close();
    }
  }

  /** Logs in within the call's session and keeps the token; a refused login keeps nothing. */
  async #logIn(session: HttpSession): Promise<string> {
    this.#token = undefined;
    const response = await session.send({
      method: 'POST',
      path: this.#login.path,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(this.#login.body(this.#credentials)),
    });
    if (response.status === 401 || response.status === 403) {
      throw new MinerError('MINER_AUTH_FAILED', `login refused (HTTP ${response.status})`);
    }
    const { json } = judgeResponse(response.status, response.body, 'json');
    const token = isRecord(json) ? json.token : undefined;
    if (typeof token !== 'string' || !TOKEN.test(token)) {
      throw new MinerError('MINER_BAD_REPLY', 'login reply has no usable token');
    }
    this.#token = token;
    return token;
  }
}

function judge(response: Exchanged): TokenReply {
  const { status, body } = response;
  if (status >= 200 && status < 300 && (status === 204 || body.toString('utf8').trim() === '')) {
    return { status, json: null };
  }
  const { json } = judgeResponse(status, body, 'json');
  return { status, json };
}

function located(error: MinerError, where: string): MinerError {
  const message = `${where}: ${error.message}`;
  if (error instanceof WebStatusError) return new WebStatusError(error.status, message);
  return new MinerError(error.code, message, { cause: error.cause });
}
