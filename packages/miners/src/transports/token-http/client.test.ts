import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { inspect } from 'node:util';
import { freePort, loopbackAllocator } from '@hashinsight/testkit';
import t, { type Test } from 'tap';
import { WebStatusError } from '../http/index.js';
import { type TokenCall, TokenHttpClient, type TokenLogin } from './client.js';

type Teardown = { teardown(fn: () => unknown): void };

// Canaries: neither may show up in an error, its cause chain or an inspected client.
const PASSWORD = 'HI-CANARY-pw-77aa';
const TOKEN_PREFIX = 'HI-CANARY-token-';

const LOGIN: TokenLogin = {
  api: 'Test REST',
  path: '/api/v1/auth/login',
  body: ({ username, password }) => ({ username, password }),
  authorization: (token) => `Bearer ${token}`,
  factoryLogin: { username: 'root', password: 'root' },
};
const STATS: TokenCall = { method: 'GET', path: '/api/v1/miner/stats' };

type Handler = (request: IncomingMessage, response: ServerResponse, body: string) => void;

/**
 * A token API on its own loopback IP: it logs in `root`/PASSWORD, numbering the tokens it hands out, and passes
 * every other request with a token it issued to `handler` (default: `{"ok":true}`). `expire()` forgets the tokens.
 */
async function api(t: Teardown, handler: Handler = (_q, response) => json(response, 200, { ok: true })) {
  const [host] = loopbackAllocator.take(1) as [string];
  const issued = new Set<string>();
  const seen: Array<{ method: string; url: string; authorization?: string; body: string }> = [];
  let logins = 0;
  const sockets = new Set<Socket>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const { method = '', url = '', headers } = request;
      seen.push({
        method,
        url,
        body,
        ...(headers.authorization ? { authorization: headers.authorization } : {}),
      });
      if (url === LOGIN.path) {
        logins += 1;
        const { username, password } = JSON.parse(body) as { username: string; password: string };
        if (username !== 'root' || password !== PASSWORD)
          return json(response, 401, { error: 'unauthorized' });
        const token = `${TOKEN_PREFIX}${logins}`;
        issued.add(token);
        return json(response, 200, { token, timeout_s: 3600 });
      }
      const token = headers.authorization?.replace(/^Bearer /, '') ?? '';
      if (!issued.has(token)) return json(response, 401, { error: 'unauthorized' });
      handler(request, response, body);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  t.teardown(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise((resolve) => server.close(resolve));
  });
  const port = (server.address() as AddressInfo).port;
  return {
    host,
    port,
    seen,
    logins: () => logins,
    expire: () => issued.clear(),
    client: (password = PASSWORD, limits: { timeoutMs?: number; maxBytes?: number } = {}) =>
      new TokenHttpClient(host, LOGIN, { port, credentials: { username: 'root', password }, ...limits }),
  };
}

function json(response: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

/** Awaits a rejection, checks it, and checks that no password or token is in it. */
async function rejects(t: Test, promise: Promise<unknown>, expected: object): Promise<unknown> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  t.match(error, { name: 'MinerError', ...expected });
  const shown = inspect(error, { depth: Number.POSITIVE_INFINITY });
  t.notOk(shown.includes(PASSWORD), 'the password is nowhere in the error');
  t.notOk(shown.includes(TOKEN_PREFIX), 'nor any token');
  return error;
}

t.test('logs in once, sends the token in the header and JSON bodies, keeps the token', async (t) => {
  const server = await api(t, (request, response, body) =>
    json(response, 200, { echo: body, method: request.method }),
  );
  const client = server.client();
  const first = await client.request({ method: 'PUT', path: '/api/v1/pools/batch', body: [{ name: 'g' }] });
  t.same(first, { status: 200, json: { echo: '[{"name":"g"}]', method: 'PUT' } });
  const second = await client.request(STATS);
  t.same(second.json, { echo: '', method: 'GET' });
  t.equal(server.logins(), 1, 'the token is kept between calls');
  t.same(
    server.seen.map(({ method, url, authorization }) => [method, url, authorization ?? null]),
    [
      ['POST', '/api/v1/auth/login', null],
      ['PUT', '/api/v1/pools/batch', `Bearer ${TOKEN_PREFIX}1`],
      ['GET', '/api/v1/miner/stats', `Bearer ${TOKEN_PREFIX}1`],
    ],
  );
  t.same(JSON.parse(server.seen[0]?.body ?? ''), { username: 'root', password: PASSWORD });
  const shown = inspect(client, { depth: Number.POSITIVE_INFINITY });
  t.notOk(shown.includes(PASSWORD), 'an inspected client shows no password');
  t.notOk(shown.includes(TOKEN_PREFIX), 'and no token');
});

t.test('an expired token: one fresh login and one retry', async (t) => {
  const server = await api(t);
  const client = server.client();
  await client.request(STATS);
  server.expire();
  t.same((await client.request(STATS)).json, { ok: true });
  t.equal(server.logins(), 2);
  t.same(
    server.seen.map(({ url, authorization }) => `${url} ${authorization ?? ''}`.trim()),
    [
      '/api/v1/auth/login',
      `/api/v1/miner/stats Bearer ${TOKEN_PREFIX}1`,
      `/api/v1/miner/stats Bearer ${TOKEN_PREFIX}1`,
      '/api/v1/auth/login',
      `/api/v1/miner/stats Bearer ${TOKEN_PREFIX}2`,
    ],
  );
});

t.test('a token refused even after the fresh login: MINER_AUTH_FAILED, no third login', async (t) => {
  // A miner that issues tokens but honours none (its session store broke): 401 on every call.
  const server = await api(t, (_q, response) => json(response, 401, { error: 'unauthorized' }));
  await rejects(t, server.client().request(STATS), {
    code: 'MINER_AUTH_FAILED',
    message: /token refused right after login/,
  });
  t.equal(server.logins(), 1, 'a token refused right after its login is not retried');

  // One that honours the first call only: the kept token is refused, one re-login, refused again.
  let calls = 0;
  const fickle = await api(t, (_q, response) => json(response, ++calls === 1 ? 200 : 401, {}));
  const client = fickle.client();
  await client.request(STATS);
  await rejects(t, client.request(STATS), {
    code: 'MINER_AUTH_FAILED',
    message: /token refused right after a fresh login/,
  });
  t.equal(fickle.logins(), 2, 'exactly one re-login');
  t.equal(calls, 3, 'the first call, the refused kept token, the refused retry');
});

t.test('an expired token whose re-login is refused: one re-login, then MINER_AUTH_FAILED', async (t) => {
  const server = await api(t);
  const client = server.client();
  await client.request(STATS);
  server.expire();
  // Somebody changed the password meanwhile: the re-login is refused.
  const changed = new TokenHttpClient(server.host, LOGIN, {
    port: server.port,
    credentials: { username: 'root', password: 'not-it' },
  });
  await rejects(t, changed.request(STATS), {
    code: 'MINER_AUTH_FAILED',
    message: /login refused \(HTTP 401\)/,
  });
  t.equal(server.logins(), 2);
});

t.test('a wrong password: MINER_AUTH_FAILED before any call', async (t) => {
  const server = await api(t);
  await rejects(t, server.client('wrong').request(STATS), {
    code: 'MINER_AUTH_FAILED',
    message: /^Test REST GET \/api\/v1\/miner\/stats on 127\.[\d.]+:\d+: login refused \(HTTP 401\)$/,
  });
  t.same(
    server.seen.map(({ url }) => url),
    ['/api/v1/auth/login'],
  );
});

t.test('login replies without a usable token are bad replies', async (t) => {
  for (const [what, reply] of [
    ['no token', { timeout_s: 3600 }],
    ['a number', { token: 42 }],
    ['a header injection', { token: 'abc\r\nX-Evil: 1' }],
    ['an empty token', { token: '' }],
    ['a list', [{ token: 'abc' }]],
  ] as const) {
    const [host] = loopbackAllocator.take(1) as [string];
    const server = createServer((_q, response) => json(response, 200, reply));
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    t.teardown(() => new Promise((resolve) => server.close(resolve)));
    const client = new TokenHttpClient(host, LOGIN, { port: (server.address() as AddressInfo).port });
    await rejects(t, client.request(STATS), { code: 'MINER_BAD_REPLY', message: /no usable token/ }).then(
      () => t.pass(what),
    );
  }
});

t.test('hostile replies to the call get typed errors', async (t) => {
  const cases: Array<[string, Handler, object, { timeoutMs?: number; maxBytes?: number }?]> = [
    [
      'bad JSON',
      (_q, response) => response.end(`{"pools": [${PASSWORD}`),
      { code: 'MINER_BAD_REPLY', message: /body is not JSON/ },
    ],
    [
      'an HTML page',
      (_q, response) => response.end('<html><head><title>Braiins OS</title></head></html>'),
      { code: 'MINER_BAD_REPLY', message: /HTML where JSON was expected \(Braiins OS\)/ },
    ],
    [
      '10 MB',
      (_q, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        let sent = 0;
        const more = () => {
          while (sent < 10 * 1024 * 1024) {
            sent += chunk.length;
            if (!response.write(chunk)) return void response.once('drain', more);
          }
          response.end();
        };
        response.on('error', () => {});
        more();
      },
      { code: 'MINER_REPLY_TOO_LARGE' },
      { maxBytes: 1024 * 1024 },
    ],
    [
      'a slow drip',
      (_q, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        const timer = setInterval(() => response.write(' '), 20);
        response.on('close', () => clearInterval(timer));
      },
      { code: 'MINER_TIMEOUT' },
      { timeoutMs: 300 },
    ],
    ['silence', () => {}, { code: 'MINER_TIMEOUT' }, { timeoutMs: 300 }],
    [
      'a redirect to another host',
      (_q, response) => {
        response.writeHead(302, { location: 'http://10.9.9.9/api/v1/miner/stats' });
        response.end();
      },
      { code: 'MINER_BAD_REPLY', message: /redirect not followed/ },
    ],
    [
      'a missing endpoint',
      (_q, response) => json(response, 404, { error: 'not found' }),
      { code: 'MINER_COMMAND_FAILED', status: 404, message: /HTTP 404/ },
    ],
  ];
  for (const [what, handler, expected, limits] of cases) {
    await t.test(what, async (t) => {
      const server = await api(t, handler);
      await rejects(t, server.client(PASSWORD, limits).request(STATS), expected);
    });
  }
});

t.test('a 404 is a WebStatusError the driver can tell apart', async (t) => {
  const server = await api(t, (_q, response) => json(response, 404, {}));
  const error = await server
    .client()
    .request(STATS)
    .catch((e: unknown) => e);
  t.ok(error instanceof WebStatusError && error.status === 404);
});

t.test('an empty 2xx body (an action answered without content) is null, not an error', async (t) => {
  const server = await api(t, (_q, response) => {
    response.writeHead(204);
    response.end();
  });
  t.same(await server.client().request({ method: 'PUT', path: '/api/v1/actions/pause' }), {
    status: 204,
    json: null,
  });
});

t.test('a reboot that drops the connection', async (t) => {
  const server = await api(t, (request) => request.socket.destroy());
  const client = server.client();
  const reboot: TokenCall = { method: 'PUT', path: '/api/v1/actions/reboot' };
  t.same(await client.request({ ...reboot, dropMeansDone: true }), { status: 0, json: null, dropped: true });
  await rejects(t, client.request(reboot), { code: 'MINER_EMPTY_REPLY' });
});

t.test('a drop during the login is an error even for a reboot: the token never went out', async (t) => {
  const [host] = loopbackAllocator.take(1) as [string];
  const server = createServer((request) => request.socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  t.teardown(() => new Promise((resolve) => server.close(resolve)));
  const client = new TokenHttpClient(host, LOGIN, { port: (server.address() as AddressInfo).port });
  await rejects(t, client.request({ method: 'PUT', path: '/api/v1/actions/reboot', dropMeansDone: true }), {
    code: 'MINER_EMPTY_REPLY',
  });
});

t.test('nobody listening: MINER_CONNECT_REFUSED', async (t) => {
  const [host] = loopbackAllocator.take(1) as [string];
  const port = await freePort(host);
  await rejects(t, new TokenHttpClient(host, LOGIN, { port }).request(STATS), {
    code: 'MINER_CONNECT_REFUSED',
  });
});

t.test('a path that is not absolute printable ASCII is refused before any I/O', async (t) => {
  const client = new TokenHttpClient('127.0.0.1', LOGIN, { port: 9 });
  await t.rejects(client.request({ method: 'GET', path: 'api/v1/x' }), RangeError);
  await t.rejects(client.request({ method: 'GET', path: '/api/v1/x y' }), RangeError);
});
