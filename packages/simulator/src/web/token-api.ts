import { randomBytes } from 'node:crypto';
import type { RequestListener, ServerResponse } from 'node:http';
import { ControlRefused, type Credentials } from '../machine.js';
import { readBody } from './body.js';

export interface ApiRequest {
  method: string;
  /** The path without the query. */
  path: string;
  /** The parsed JSON body; undefined without one. */
  body: unknown;
}

/** An answer: a status and JSON, or 204 without a body when `json` is undefined. */
export interface ApiAnswer {
  status: number;
  json?: unknown;
}

/**
 * One firmware's JSON API behind a token login (Braiins OS REST, VNish web API): how it logs in, how the token
 * comes back, and the routes behind it. `route` answers undefined for a path it does not know (404).
 */
export interface TokenApiSpec {
  loginPath: string;
  /** Whether a login body presents these credentials. */
  accepts(body: unknown, login: Credentials): boolean;
  /** The login reply for a new token. */
  loginReply(token: string): unknown;
  /** The token in an `Authorization` header, in the firmware's form. */
  tokenOf(authorization: string | undefined): string | undefined;
  route(request: ApiRequest): ApiAnswer | undefined;
}

/**
 * The web server of a firmware with a token API: a bounded JSON body, the login (refused with 401 under a wrong
 * password or the `wrong-password` fault: `login()` undefined), then every route only with a live token. Tokens
 * die with the run of the miner program that issued them (`runs()`: a restart or a reboot), so a client must log in
 * again, as on the real firmware after a reboot. `resetting()` (the `reset` fault) resets every request.
 */
export function tokenApiListener(
  spec: TokenApiSpec,
  login: () => Credentials | undefined,
  runs: () => number,
  resetting: () => boolean = () => false,
): RequestListener {
  const tokens = new Map<string, number>();
  return (request, response) => {
    if (resetting()) {
      request.socket.resetAndDestroy();
      return;
    }
    readBody(request, response, (text) => {
      let body: unknown;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        return send(response, { status: 400, json: { error: 'invalid JSON' } });
      }
      const path = new URL(request.url ?? '/', 'http://miner').pathname;
      const method = request.method ?? 'GET';
      if (path === spec.loginPath && method === 'POST') {
        const credentials = login();
        if (credentials === undefined || !spec.accepts(body, credentials)) {
          return send(response, { status: 401, json: { error: 'unauthorized' } });
        }
        const token = randomBytes(12).toString('base64url');
        tokens.set(token, runs());
        return send(response, { status: 200, json: spec.loginReply(token) });
      }
      const token = spec.tokenOf(request.headers.authorization);
      if (token === undefined || tokens.get(token) !== runs()) {
        return send(response, { status: 401, json: { error: 'unauthorized' } });
      }
      send(
        response,
        routed(() => spec.route({ method, path, body })),
      );
    });
  };
}

function send(response: ServerResponse, { status, json }: ApiAnswer): void {
  if (json === undefined) {
    response.writeHead(status === 200 ? 204 : status);
    response.end();
    return;
  }
  const text = JSON.stringify(json);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

/** The route's answer; 404 for an unknown path, 500 for a write the `control-fails` fault refused. */
function routed(run: () => ApiAnswer | undefined): ApiAnswer {
  try {
    return run() ?? { status: 404, json: { error: 'not found' } };
  } catch (error) {
    if (!(error instanceof ControlRefused)) throw error;
    return { status: 500, json: { error: 'command failed' } };
  }
}
