import { MinerError } from '../../errors.js';
import { parseDigestChallenge } from './challenge.js';
import { digestAuthorization, type WebCredentials } from './digest.js';
import { judgeResponse, type WebExpect, type WebResponse, WebStatusError } from './response.js';
import { type Exchanged, HttpSession } from './session.js';

/** A request body: JSON (X19+ CGIs) or an HTML form whose fields keep their order (old CGIs parse by position). */
export type WebBody = { json: unknown } | { form: ReadonlyArray<readonly [string, string]> };

/** How to reach a miner's web server. */
export interface WebConnectOptions {
  credentials: WebCredentials;
  /** TCP port (default 80). */
  port?: number;
  /** How long each TCP handshake may take (default 1000 ms). */
  connectTimeoutMs?: number;
  /** Deadline for the whole call, authentication included (default 10000 ms: set_miner_conf restarts cgminer). */
  timeoutMs?: number;
  /** Largest response body accepted (default 1 MiB). */
  maxBytes?: number;
}

/** What one call chooses; `method` defaults to POST with a body and GET without. */
export interface WebCall {
  method?: 'GET' | 'POST';
  body?: WebBody;
  /** `json` (default): the body must parse as JSON; `text`: returned as is. */
  expect?: WebExpect;
  /**
   * The CGI takes the miner down (`reboot.cgi`): once the request with our credentials is sent, a connection that
   * drops (before or during the answer) or an HTTP 500 (the CGI killed with the box) resolves as `dropped`. A drop
   * before credentials were sent is still an error: the web server never let the request reach the CGI.
   */
  dropMeansDone?: boolean;
  timeoutMs?: number;
  maxBytes?: number;
}

export interface WebRequestOptions extends WebConnectOptions, WebCall {
  /** Absolute path with optional query, e.g. `/cgi-bin/get_system_info.cgi`. */
  path: string;
}

/**
 * One call to a miner's web CGI with HTTP Digest authentication (RFC 7616: MD5 or SHA-256, qop=auth, or the
 * older form without qop), as stock Antminer firmware wants it (`realm="antMiner Configuration"`). At most three
 * requests: the unauthenticated one that fetches the challenge, the authenticated one, and one more only when
 * the server calls our nonce stale. A second 401 is MINER_AUTH_FAILED. Redirects are refused, never followed.
 * A body goes with every request: the web server checks credentials before the CGI runs, so only the accepted
 * request has an effect.
 *
 * Limits are the caller's (connect timeout, one deadline for the whole call, response size); every failure is a
 * MinerError naming the host, method and path, and never the credentials. A `reboot.cgi` that takes the miner
 * down before answering shows as MINER_EMPTY_REPLY, and one whose CGI dies as WebStatusError status 500; with
 * `dropMeansDone` both resolve as `dropped`, but only after the authenticated request was sent.
 */
export async function webRequest(host: string, options: WebRequestOptions): Promise<WebResponse> {
  const { path, credentials, body } = options;
  const method = options.method ?? (body ? 'POST' : 'GET');
  const port = options.port ?? 80;
  const where = `web ${method} ${path} on ${host}:${port}`;
  if (!/^\/[\x21-\x7e]*$/.test(path))
    throw new RangeError(`${where}: path must be absolute, printable ASCII`);
  const request = { method, path, ...encodeBody(body) };
  const session = new HttpSession(`http://${host.includes(':') ? `[${host}]` : host}:${port}`, {
    connectTimeoutMs: options.connectTimeoutMs ?? 1000,
    timeoutMs: options.timeoutMs ?? 10_000,
    maxBytes: options.maxBytes ?? 1024 * 1024,
  });
  let credentialsSent = false;
  const send = (authorization?: string) => {
    credentialsSent ||= authorization !== undefined;
    return session.send({
      ...request,
      headers: authorization ? { ...request.headers, authorization } : request.headers,
    });
  };
  try {
    let response = await send();
    if (response.status === 401)
      response = await authenticate(response, { method, uri: path }, credentials, send);
    if (options.dropMeansDone && credentialsSent && response.status === 500) {
      return { status: 500, text: response.body.toString('utf8'), dropped: true };
    }
    return judgeResponse(response.status, response.body, options.expect ?? 'json');
  } catch (error) {
    const explained = session.explain(error);
    if (options.dropMeansDone && DROPS.has(explained.code)) {
      if (credentialsSent) return { status: 0, text: '', dropped: true };
      throw located(
        new MinerError(
          explained.code,
          `${explained.message} before credentials were sent: the CGI never ran`,
          {
            cause: explained.cause,
          },
        ),
        where,
      );
    }
    throw located(explained, where);
  } finally {
    await session.close();
  }
}

/**
 * Answers the challenge of a 401; a stale nonce is answered once more with the fresh one. Anything else that
 * ends in 401 is wrong credentials: retrying would only lock the account on firmware that counts failures.
 */
async function authenticate(
  unauthorized: Exchanged,
  target: { method: string; uri: string },
  credentials: WebCredentials,
  send: (authorization: string) => Promise<Exchanged>,
): Promise<Exchanged> {
  let response = await send(digestAuthorization(challengeOf(unauthorized), credentials, target));
  if (response.status !== 401) return response;
  const renewed = challengeOf(response);
  if (!renewed.stale) throw new MinerError('MINER_AUTH_FAILED', 'credentials refused (HTTP 401)');
  response = await send(digestAuthorization(renewed, credentials, target));
  if (response.status !== 401) return response;
  throw new MinerError('MINER_AUTH_FAILED', 'credentials refused (HTTP 401 after a stale-nonce retry)');
}

/** How a connection ends when the box behind it goes down. */
const DROPS: ReadonlySet<string> = new Set(['MINER_EMPTY_REPLY', 'MINER_CONNECTION_RESET']);

function challengeOf(response: Exchanged) {
  const header = response.headers['www-authenticate'];
  return parseDigestChallenge(header === undefined ? [] : Array.isArray(header) ? header : [header]);
}

function encodeBody(body: WebBody | undefined): { headers: Record<string, string>; body?: string } {
  if (body === undefined) return { headers: {} };
  if ('json' in body) {
    return { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body.json) };
  }
  const form = new URLSearchParams(body.form.map(([name, value]): [string, string] => [name, value]));
  return { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() };
}

function located(error: MinerError, where: string): MinerError {
  const message = `${where}: ${error.message}`;
  if (error instanceof WebStatusError) return new WebStatusError(error.status, message);
  return new MinerError(error.code, message, { cause: error.cause });
}

/** A miner's web CGI, bound to its host, credentials and default limits. */
export class WebClient {
  // A private field, so neither util.inspect nor a logger serializing the client shows the password.
  readonly #options: WebConnectOptions;

  constructor(
    readonly host: string,
    options: WebConnectOptions,
  ) {
    this.#options = { ...options, credentials: { ...options.credentials } };
  }

  request(path: string, call: WebCall = {}): Promise<WebResponse> {
    const defaults = this.#options;
    return webRequest(this.host, {
      ...defaults,
      ...call,
      path,
      timeoutMs: call.timeoutMs ?? defaults.timeoutMs,
      maxBytes: call.maxBytes ?? defaults.maxBytes,
    });
  }
}
