import { connect } from 'node:net';
import pino from 'pino';
import t, { type Test } from 'tap';
import { startHealthServer } from './index.js';

const logger = pino({ level: 'silent' });

async function start(t: Test, overrides: Partial<Parameters<typeof startHealthServer>[0]> = {}) {
  const server = await startHealthServer({
    port: 0,
    status: () => ({ agentId: 'agent-7', backlog: { samples: 3 } }),
    logger,
    ...overrides,
  });
  t.teardown(() => server.close());
  return server;
}

/** Sends raw bytes and returns what came back before the server closed or 2 s passed. */
function raw(port: number, request: string | Buffer, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, host);
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
    socket.setTimeout(2000, () => socket.destroy());
    socket.end(request);
  });
}

t.test('GET /healthz and GET /status answer JSON envelopes; HEAD answers headers only', async (t) => {
  const { port } = await start(t);
  const live = await fetch(`http://127.0.0.1:${port}/healthz`);
  t.equal(live.status, 200);
  t.match(await live.json(), { success: true, data: { status: 'ok' } });
  const status = await fetch(`http://localhost:${port}/status?pretty=1`);
  t.equal(status.status, 200);
  t.equal(status.headers.get('cache-control'), 'no-store');
  t.match(await status.json(), { success: true, data: { agentId: 'agent-7', backlog: { samples: 3 } } });
  const head = await fetch(`http://127.0.0.1:${port}/status`, { method: 'HEAD' });
  t.equal(head.status, 200);
  t.equal(await head.text(), '');
});

t.test('anything else is 404 or 405 with an error envelope', async (t) => {
  const { port } = await start(t);
  for (const path of ['/', '/status/', '/healthz/x', '/%2e%2e/etc/passwd', '/STATUS', '//status']) {
    const response = await fetch(`http://127.0.0.1:${port}${path}`);
    t.equal(response.status, 404, path);
    t.match(await response.json(), { success: false, code: 'HEALTH_NOT_FOUND' });
  }
  for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
    const response = await fetch(`http://127.0.0.1:${port}/status`, {
      method,
      body: method === 'POST' ? '{}' : null,
    });
    t.equal(response.status, 405, method);
    t.equal(response.headers.get('allow'), 'GET, HEAD');
    t.match(await response.json(), { success: false, code: 'HEALTH_METHOD_NOT_ALLOWED' });
  }
});

t.test(
  'hostile requests: foreign Host (DNS rebinding), garbage, huge headers, a body, absolute URLs',
  async (t) => {
    const { port } = await start(t);
    const rebinding = await raw(
      port,
      `GET /status HTTP/1.1\r\nHost: evil.example:${port}\r\nConnection: close\r\n\r\n`,
    );
    t.match(rebinding, /^HTTP\/1\.1 403/);
    t.notMatch(rebinding, /agent-7/, 'no status for a page that rebound its name to 127.0.0.1');
    const otherPort = await raw(
      port,
      `GET /status HTTP/1.1\r\nHost: 127.0.0.1:1\r\nConnection: close\r\n\r\n`,
    );
    t.match(otherPort, /^HTTP\/1\.1 403/);
    t.match(
      await raw(port, 'GET /status HTTP/1.0\r\n\r\n'),
      /^HTTP\/1\.1 200[\s\S]*agent-7/,
      'HTTP/1.0 without Host',
    );
    t.match(
      await raw(port, Buffer.from([0x16, 0x03, 0x01, 0xff, 0x00, 0x0d, 0x0a, 0x0d, 0x0a])),
      /^HTTP\/1\.1 400/,
    );
    t.match(
      await raw(port, `GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`),
      /^HTTP\/1\.1 431/,
    );
    t.match(
      await raw(
        port,
        `GET http://evil.example/status HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
      ),
      /^HTTP\/1\.1 404/,
    );
    t.match(
      await raw(port, 'GET /x/../status HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'),
      /^HTTP\/1\.1 404/,
      'no path normalisation',
    );
    const withBody = await raw(
      port,
      `GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\nConnection: close\r\n\r\n${'x'.repeat(1000)}`,
    );
    t.match(withBody, /^HTTP\/1\.1 200/, 'answered without waiting for the body');
  },
);

t.test('a failing status is a 500 without detail; a stalled agent fails liveness', async (t) => {
  let live = { ok: true, reason: '' };
  const { port } = await start(t, {
    status: () => {
      throw new Error('secret detail /var/lib/x');
    },
    live: () => live,
  });
  const failed = await fetch(`http://127.0.0.1:${port}/status`);
  t.equal(failed.status, 500);
  const text = await failed.text();
  t.match(text, /HEALTH_STATUS_FAILED/);
  t.notMatch(text, /secret detail/);
  t.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
  live = { ok: false, reason: 'no poll cycle for 300 s' };
  const stalled = await fetch(`http://127.0.0.1:${port}/healthz`);
  t.equal(stalled.status, 503);
  t.match(await stalled.json(), { code: 'HEALTH_NOT_LIVE', error: 'no poll cycle for 300 s' });
});

t.test('listens on 127.0.0.1 only; a taken port is an error for the caller', async (t) => {
  const { port } = await start(t);
  await t.rejects(raw(port, 'GET /healthz HTTP/1.0\r\n\r\n', '127.0.0.2'), { code: 'ECONNREFUSED' });
  await t.rejects(startHealthServer({ port, status: () => ({}), logger }), { code: 'EADDRINUSE' });
});
