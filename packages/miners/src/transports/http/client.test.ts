import { createServer as createHttpServer } from 'node:http';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { inspect } from 'node:util';
import { freePort, loopbackAllocator } from '@hashinsight/testkit';
import t, { type Test } from 'tap';
import { connectClients } from '../../read.js';
import { corpusMissing } from '../../test/recorded.js';
import { WebClient, webRequest } from './client.js';
import { WebStatusError } from './response.js';
import {
  type AntminerWebOptions,
  corpusFile,
  type Route,
  serve,
  startAntminerWeb,
} from './test/antminer-web.js';

type Teardown = { teardown(fn: () => unknown): void };

// A canary: it must never show up in an error, its cause chain or an inspected client.
const PASSWORD = 'HI-CANARY-pw-5f1c';
const credentials = { username: 'root', password: PASSWORD };
const SYSTEM_INFO = '/cgi-bin/get_system_info.cgi';

function miner(t: Teardown, routes: Record<string, Route>, options: Partial<AntminerWebOptions> = {}) {
  return startAntminerWeb(t, { username: 'root', password: PASSWORD, routes, ...options });
}

/** Awaits a rejection, checks it, and checks that nothing secret is in it. Returns how long it took, in ms. */
async function rejects(t: Test, promise: Promise<unknown>, expected: object): Promise<number> {
  const start = performance.now();
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  const elapsed = performance.now() - start;
  t.match(error, { name: 'MinerError', ...expected });
  const shown = inspect(error, { depth: Number.POSITIVE_INFINITY });
  t.notOk(shown.includes(PASSWORD), 'the password is nowhere in the error');
  t.notOk(/Digest username|authorization/i.test(shown), 'nor the Authorization header');
  return elapsed;
}

/** A plain TCP listener on its own loopback IP that plays `onConnection` and counts connections. */
async function rawPeer(t: Teardown, onConnection: (socket: Socket) => void = () => {}) {
  const [host] = loopbackAllocator.take(1) as [string];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  t.teardown(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise((resolve) => server.close(resolve));
  });
  return { host, port: (server.address() as AddressInfo).port, connections: () => sockets.size };
}

t.test('Digest round trips against recorded CGI bodies', { skip: corpusMissing }, async (t) => {
  t.test('GET: challenge, then an authenticated request that the server verifies', async (t) => {
    const web = await miner(t, { [SYSTEM_INFO]: serve('antminer-cgi/get_system_info.cgi.s21.json') });
    const reply = await webRequest(web.host, { path: SYSTEM_INFO, credentials, port: web.port });
    t.equal(reply.status, 200);
    t.match(reply.json, { minertype: 'Antminer S21', serinum: 'THQING0BDJAB024NF' });
    t.same(
      web.seen.map(({ method, verdict }) => [method, verdict]),
      [
        ['GET', 'challenged'],
        ['GET', 'ok'],
      ],
    );
    const authorization = web.seen[1]?.authorization ?? '';
    t.match(
      authorization,
      /^Digest username="root", realm="antMiner Configuration", nonce="[^"]+", uri="\/cgi-bin/,
    );
    t.match(authorization, /qop=auth, nc=00000001, cnonce="[0-9a-f]{32}"/);
    t.notOk(authorization.includes(PASSWORD), 'only a hash of the password is sent');
  });

  t.test('blank lines before the JSON (get_miner_conf.cgi) are fine', async (t) => {
    const path = '/cgi-bin/get_miner_conf.cgi';
    const web = await miner(t, { [path]: serve('antminer-cgi/get_miner_conf.cgi.s19-sleeping.json') });
    const reply = await webRequest(web.host, { path, credentials, port: web.port });
    t.match(reply.json, { 'bitmain-work-mode': '1', pools: [{ url: 'aaa:700' }, {}, {}] });
  });

  t.test('POST JSON (X19+ set_miner_conf.cgi) and read the text reply', async (t) => {
    const path = '/cgi-bin/set_miner_conf.cgi';
    const web = await miner(t, { [path]: serve('antminer-cgi/set_miner_conf.cgi.response.txt') });
    const conf: unknown = JSON.parse(
      corpusFile('antminer-cgi/set_miner_conf.cgi.request.new.json').toString(),
    );
    const reply = await webRequest(web.host, {
      path,
      credentials,
      port: web.port,
      body: { json: conf },
      expect: 'text',
    });
    t.same(reply, { status: 200, text: 'ok' });
    const sent = web.seen.at(-1);
    t.match(sent, { method: 'POST', contentType: 'application/json', verdict: 'ok' });
    t.same(JSON.parse(sent?.body ?? ''), conf);
  });

  t.test('POST a form (old set_miner_conf.cgi): the exact bytes, fields in order', async (t) => {
    const path = '/cgi-bin/set_miner_conf.cgi';
    const web = await miner(t, { [path]: serve('antminer-cgi/set_miner_conf.cgi.response.hiveon.txt') });
    const recorded = corpusFile('antminer-cgi/set_miner_conf.cgi.request.old.txt').toString();
    const form = [...new URLSearchParams(recorded)];
    const reply = await webRequest(web.host, {
      path,
      credentials,
      port: web.port,
      body: { form },
      expect: 'text',
    });
    t.equal(reply.text, 'ok\nok\n');
    t.match(web.seen.at(-1), { contentType: 'application/x-www-form-urlencoded', body: recorded });
  });

  t.test('the RFC 2069 form without qop', async (t) => {
    const web = await miner(
      t,
      { [SYSTEM_INFO]: serve('antminer-cgi/get_system_info.cgi.s21.json') },
      { qop: false },
    );
    const reply = await webRequest(web.host, { path: SYSTEM_INFO, credentials, port: web.port });
    t.match(reply.json, { minertype: 'Antminer S21' });
    t.notMatch(web.seen[1]?.authorization, /qop|nc=|cnonce/);
  });

  t.test('a server without authentication is read directly', async (t) => {
    const web = await miner(
      t,
      { [SYSTEM_INFO]: serve('antminer-cgi/get_system_info.cgi.s21.json') },
      { open: true },
    );
    t.match((await webRequest(web.host, { path: SYSTEM_INFO, credentials, port: web.port })).json, {
      minertype: 'Antminer S21',
    });
    t.equal(web.seen.length, 1);
  });
});

t.test('authentication failures', { skip: corpusMissing }, async (t) => {
  const routes = { [SYSTEM_INFO]: serve('antminer-cgi/get_system_info.cgi.s21.json') };

  t.test('a wrong password fails after one authenticated attempt', async (t) => {
    const web = await miner(t, routes);
    const wrong = { username: 'root', password: `${PASSWORD}-wrong` };
    await rejects(t, webRequest(web.host, { path: SYSTEM_INFO, credentials: wrong, port: web.port }), {
      code: 'MINER_AUTH_FAILED',
      message: `web GET ${SYSTEM_INFO} on ${web.host}:${web.port}: credentials refused (HTTP 401)`,
    });
    t.same(
      web.seen.map(({ verdict }) => verdict),
      ['challenged', 'refused'],
    );
  });

  t.test('a stale nonce is answered once with the fresh one', async (t) => {
    const web = await miner(t, routes, { staleTimes: 1 });
    const reply = await webRequest(web.host, { path: SYSTEM_INFO, credentials, port: web.port });
    t.match(reply.json, { minertype: 'Antminer S21' });
    t.same(
      web.seen.map(({ verdict }) => verdict),
      ['challenged', 'stale', 'ok'],
    );
  });

  t.test('a second stale nonce stops there', async (t) => {
    const web = await miner(t, routes, { staleTimes: 5 });
    await rejects(t, webRequest(web.host, { path: SYSTEM_INFO, credentials, port: web.port }), {
      code: 'MINER_AUTH_FAILED',
      message: /after a stale-nonce retry/,
    });
    t.same(
      web.seen.map(({ verdict }) => verdict),
      ['challenged', 'stale', 'stale'],
    );
  });

  t.test('a Basic-only server never gets the password', async (t) => {
    const [host] = loopbackAllocator.take(1) as [string];
    const authorizations: Array<string | undefined> = [];
    const server = createHttpServer((request, response) => {
      authorizations.push(request.headers.authorization);
      response.writeHead(401, { 'www-authenticate': 'Basic realm="antMiner Configuration"' }).end();
    });
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    t.teardown(() => new Promise((resolve) => server.close(resolve)));
    const { port } = server.address() as AddressInfo;
    await rejects(t, webRequest(host, { path: SYSTEM_INFO, credentials, port }), {
      code: 'MINER_AUTH_FAILED',
      message: /401 without a Digest challenge/,
    });
    t.same(authorizations, [undefined]);
  });

  t.test('a 64 KiB nonce is a reply too large, not a crash', async (t) => {
    const peer = await rawPeer(t, (socket) =>
      socket.once('data', () =>
        socket.end(
          `HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm="x", nonce="${'n'.repeat(65_536)}"\r\n` +
            'Content-Length: 0\r\n\r\n',
        ),
      ),
    );
    await rejects(t, webRequest(peer.host, { path: SYSTEM_INFO, credentials, port: peer.port }), {
      code: 'MINER_REPLY_TOO_LARGE',
    });
  });
});

t.test('what the miner answers besides JSON', { skip: corpusMissing }, async (t) => {
  t.test('a redirect to another host is refused and nothing is sent there', async (t) => {
    const elsewhere = await rawPeer(t);
    const web = await miner(t, {
      [SYSTEM_INFO]: (_request, response) => {
        response
          .writeHead(302, { location: `http://${elsewhere.host}:${elsewhere.port}${SYSTEM_INFO}` })
          .end();
      },
    });
    await rejects(t, webRequest(web.host, { path: SYSTEM_INFO, credentials, port: web.port }), {
      code: 'MINER_BAD_REPLY',
      message: /HTTP 302 redirect not followed/,
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    t.equal(elsewhere.connections(), 0, 'no connection to the other host');
  });

  t.test('an HTML page where JSON was expected', async (t) => {
    const web = await miner(t, { [SYSTEM_INFO]: serve('antminer-cgi/unauthorized.401.html', 'text/html') });
    await rejects(t, webRequest(web.host, { path: SYSTEM_INFO, credentials, port: web.port }), {
      code: 'MINER_BAD_REPLY',
      message: /HTML where JSON was expected \(401 - Unauthorized\)/,
    });
  });

  t.test('text that is not JSON', async (t) => {
    const web = await miner(t, {
      [SYSTEM_INFO]: serve('antminer-cgi/set_miner_conf.cgi.response.hiveon.txt'),
    });
    await rejects(t, webRequest(web.host, { path: SYSTEM_INFO, credentials, port: web.port }), {
      code: 'MINER_BAD_REPLY',
      message: /body is not JSON \(6 bytes\)$/,
    });
  });

  t.test('an HTML error page is a WebStatusError with its title', async (t) => {
    const web = await miner(t, {});
    const promise = webRequest(web.host, { path: '/cgi-bin/blink.cgi', credentials, port: web.port });
    await rejects(t, promise, {
      code: 'MINER_COMMAND_FAILED',
      status: 404,
      message: /HTTP 404: 404 - Not Found$/,
    });
    t.ok((await promise.catch((e: unknown) => e)) instanceof WebStatusError);
  });

  t.test('reboot.cgi: a dropped connection and a 500 are told apart from other failures', async (t) => {
    const path = '/cgi-bin/reboot.cgi';
    const dropped = await miner(t, { [path]: (request) => request.socket.destroy() });
    await rejects(t, webRequest(dropped.host, { path, credentials, port: dropped.port, expect: 'text' }), {
      code: 'MINER_EMPTY_REPLY',
    });
    const reset = await miner(t, { [path]: (request) => request.socket.resetAndDestroy() });
    await rejects(t, webRequest(reset.host, { path, credentials, port: reset.port, expect: 'text' }), {
      code: 'MINER_EMPTY_REPLY',
    });
    const died = await miner(t, { [path]: (_request, response) => response.writeHead(500).end() });
    await rejects(t, webRequest(died.host, { path, credentials, port: died.port, expect: 'text' }), {
      code: 'MINER_COMMAND_FAILED',
      status: 500,
    });
  });

  t.test('dropMeansDone: a drop or a 500 after the authenticated request is the reboot', async (t) => {
    const path = '/cgi-bin/reboot.cgi';
    const call = { path, credentials, expect: 'text' as const, dropMeansDone: true };
    const dropped = await miner(t, { [path]: (request) => request.socket.destroy() });
    t.strictSame(await webRequest(dropped.host, { ...call, port: dropped.port }), {
      status: 0,
      text: '',
      dropped: true,
    });
    const reset = await miner(t, { [path]: (request) => request.socket.resetAndDestroy() });
    t.match(await webRequest(reset.host, { ...call, port: reset.port }), { dropped: true });
    const died = await miner(t, { [path]: (_request, response) => response.writeHead(500).end() });
    t.match(await webRequest(died.host, { ...call, port: died.port }), { status: 500, dropped: true });
    const answered = await miner(t, { [path]: (_request, response) => response.writeHead(200).end('ok') });
    t.strictSame(await webRequest(answered.host, { ...call, port: answered.port }), {
      status: 200,
      text: 'ok',
    });
  });

  t.test('dropMeansDone: a drop before credentials were sent is an error', async (t) => {
    const path = '/cgi-bin/reboot.cgi';
    const web = await startAntminerWeb(t, {
      username: 'root',
      password: credentials.password,
      dropUnauthenticated: true,
      routes: { [path]: (_request, response) => response.writeHead(200).end('') },
    });
    await rejects(
      t,
      webRequest(web.host, { path, credentials, port: web.port, expect: 'text', dropMeansDone: true }),
      { code: 'MINER_EMPTY_REPLY', message: /before credentials were sent/ },
    );
    t.strictSame(
      web.seen.map(({ verdict }) => verdict),
      ['challenged'],
      'only the unauthenticated request went out',
    );
  });
});

t.test('hostile and broken peers', { skip: corpusMissing }, async (t) => {
  const body = corpusFile('antminer-cgi/get_system_info.cgi.s21.json');

  t.test('a 10 MB body is cut off as soon as it passes the limit', async (t) => {
    const big = Buffer.alloc(10 * 1024 * 1024, 'a');
    const web = await miner(t, {
      '/declared': (_request, response) => response.writeHead(200, { 'content-length': big.length }).end(big),
      '/chunked': (_request, response) => response.writeHead(200).end(big),
    });
    for (const path of ['/declared', '/chunked']) {
      const elapsed = await rejects(t, webRequest(web.host, { path, credentials, port: web.port }), {
        code: 'MINER_REPLY_TOO_LARGE',
      });
      t.ok(elapsed < 1000, `${path}: gave up after ${Math.round(elapsed)} ms`);
    }
  });

  t.test('a slow drip ends at the deadline, not per byte', async (t) => {
    const web = await miner(t, {
      [SYSTEM_INFO]: (_request, response) => {
        response.writeHead(200, { 'content-length': body.length });
        let at = 0;
        const drip = setInterval(() => response.write(body.subarray(at, ++at)), 100);
        response.on('close', () => clearInterval(drip));
      },
    });
    const promise = webRequest(web.host, { path: SYSTEM_INFO, credentials, port: web.port, timeoutMs: 600 });
    const elapsed = await rejects(t, promise, { code: 'MINER_TIMEOUT' });
    t.ok(elapsed >= 595 && elapsed < 1100, `timed out after ${Math.round(elapsed)} ms`);
  });

  t.test('silence after the request ends at the deadline', async (t) => {
    const web = await miner(t, { [SYSTEM_INFO]: () => {} });
    const promise = webRequest(web.host, { path: SYSTEM_INFO, credentials, port: web.port, timeoutMs: 400 });
    const elapsed = await rejects(t, promise, {
      code: 'MINER_TIMEOUT',
      message: `web GET ${SYSTEM_INFO} on ${web.host}:${web.port}: no complete reply within 400 ms`,
    });
    t.ok(elapsed >= 395 && elapsed < 900, `timed out after ${Math.round(elapsed)} ms`);
  });

  t.test('a RST in the middle of the body', async (t) => {
    const web = await miner(t, {
      [SYSTEM_INFO]: (request, response) => {
        response.writeHead(200, { 'content-length': body.length });
        response.write(body.subarray(0, body.length / 2), () =>
          setTimeout(() => request.socket.resetAndDestroy(), 100),
        );
      },
    });
    await rejects(t, webRequest(web.host, { path: SYSTEM_INFO, credentials, port: web.port }), {
      code: 'MINER_CONNECTION_RESET',
    });
  });

  t.test('garbage bytes on the port: not HTTP at all', async (t) => {
    const peer = await rawPeer(t, (socket) =>
      socket.once('data', () => socket.end(Buffer.from([0x9f, 0x41, 0xfe, 0x7b, 0x00, 0x0a]))),
    );
    await rejects(t, webRequest(peer.host, { path: SYSTEM_INFO, credentials, port: peer.port }), {
      code: 'MINER_BAD_REPLY',
    });
    const cgminer = await rawPeer(t, (socket) =>
      socket.once('data', () =>
        socket.end('{"STATUS":[{"STATUS":"E","Code":23,"Msg":"Invalid JSON"}],"id":1}\0'),
      ),
    );
    await rejects(t, webRequest(cgminer.host, { path: SYSTEM_INFO, credentials, port: cgminer.port }), {
      code: 'MINER_BAD_REPLY',
    });
  });

  t.test('a closed port is refused', async (t) => {
    const [host] = loopbackAllocator.take(1) as [string];
    const port = await freePort(host);
    await rejects(t, webRequest(host, { path: SYSTEM_INFO, credentials, port }), {
      code: 'MINER_CONNECT_REFUSED',
      message: new RegExp(`^web GET ${SYSTEM_INFO} on ${host}:${port}: connect ECONNREFUSED`),
    });
  });

  t.test('leaves no timer or socket behind', async (t) => {
    let closed: Promise<void> | undefined;
    const web = await miner(t, {
      [SYSTEM_INFO]: (request) => {
        closed = new Promise((resolve) => request.socket.once('close', () => resolve()));
      },
    });
    const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const before = timers();
    await rejects(
      t,
      webRequest(web.host, { path: SYSTEM_INFO, credentials, port: web.port, timeoutMs: 200 }),
      {
        code: 'MINER_TIMEOUT',
      },
    );
    t.equal(timers(), before, 'the deadline is cleared');
    await closed;
    t.pass('the miner saw the connection close');
  });
});

t.test('clients bound to one miner', { skip: corpusMissing }, async (t) => {
  const web = await miner(t, { [SYSTEM_INFO]: serve('antminer-cgi/get_system_info.cgi.s21.json') });

  t.test('WebClient keeps host, port and credentials, and never shows the password', async (t) => {
    const client = new WebClient(web.host, { credentials, port: web.port });
    t.match((await client.request(SYSTEM_INFO)).json, { minertype: 'Antminer S21' });
    t.notOk(inspect(client, { depth: Number.POSITIVE_INFINITY }).includes(PASSWORD));
    t.notOk(JSON.stringify(client).includes(PASSWORD));
  });

  t.test("a call's own limits win, and without them the client's defaults hold", async (t) => {
    const silent = await miner(t, { [SYSTEM_INFO]: () => {} });
    const client = new WebClient(silent.host, { credentials, port: silent.port, timeoutMs: 300 });
    const byDefault = await rejects(t, client.request(SYSTEM_INFO, { timeoutMs: undefined }), {
      code: 'MINER_TIMEOUT',
      message: /within 300 ms$/,
    });
    t.ok(byDefault < 800, `the client's 300 ms held (${Math.round(byDefault)} ms)`);
    await rejects(t, client.request(SYSTEM_INFO, { timeoutMs: 150 }), { message: /within 150 ms$/ });
  });

  t.test('connectClients adds `web` only when credentials are given', async (t) => {
    t.equal(connectClients(web.host).web, undefined);
    const clients = connectClients(web.host, { web: { credentials, port: web.port } });
    t.match((await clients.web?.(SYSTEM_INFO))?.json, { minertype: 'Antminer S21' });
    t.notOk(inspect(clients, { depth: Number.POSITIVE_INFINITY }).includes(PASSWORD));
  });
});

t.test('a path that is not an absolute ASCII path is a caller bug', async (t) => {
  await t.rejects(webRequest('127.0.0.1', { path: 'cgi-bin/x.cgi', credentials }), RangeError);
  await t.rejects(webRequest('127.0.0.1', { path: '/a b', credentials }), RangeError);
});
