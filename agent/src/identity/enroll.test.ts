// Enrollment against answers the real cloud would never give, from a real HTTP server on loopback: refusals, cloud
// failures, garbage, oversized and hanging answers, and answers with unusable fields. Nothing may be written then.
// The happy path against the real cloud is tests/e2e/agent-enroll.test.ts.
import { existsSync, readdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tempDir } from '@hashinsight/testkit';
import { generateKeyPair } from '@hashinsight/vault';
import t, { type Test } from 'tap';
import { enroll } from './enroll.js';
import { IdentityError } from './errors.js';
import { loadIdentity } from './identity.js';

const TOKEN = `hie_${'A'.repeat(43)}`;
const cloudKey = generateKeyPair('ed25519');

function goodAnswer(overrides: Record<string, unknown> = {}) {
  return {
    success: true,
    data: {
      agentId: '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
      siteId: 'site-1',
      mqtt: {
        url: 'mqtt://127.0.0.1:18830',
        username: '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
        password: 'p'.repeat(43),
      },
      commandKeys: [{ keyId: cloudKey.keyId, publicKey: cloudKey.publicKey }],
      ...overrides,
    },
  };
}

/** A loopback HTTP server answering every request with `handler`; returns its URL and the bodies it received. */
async function fakeCloud(t: Test, handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      bodies.push(body);
      handler(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies };
}

const json = (status: number, body: unknown) => (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
};

async function expectFailure(t: Test, cloudUrl: string, code: string, message: RegExp, timeoutMs?: number) {
  const dataDir = tempDir(t);
  try {
    await enroll({
      cloudUrl,
      token: TOKEN,
      dataDir,
      hostname: 'edge-01',
      agentVersion: '0.1.0',
      ...(timeoutMs ? { timeoutMs } : {}),
    });
    t.fail('enrolled');
  } catch (error) {
    t.ok(error instanceof IdentityError, `an IdentityError: ${String(error)}`);
    t.equal((error as IdentityError).code, code);
    t.match((error as Error).message, message);
    t.notMatch((error as Error).message, TOKEN, 'never the token');
  }
  t.same(readdirSync(dataDir), [], 'nothing written');
}

t.test('the request carries the token and public keys only; the answer is kept', async (t) => {
  const cloud = await fakeCloud(t, json(201, goodAnswer()));
  const dataDir = tempDir(t);
  const identity = await enroll({
    cloudUrl: `${cloud.url}/prefix`,
    token: TOKEN,
    dataDir,
    hostname: 'edge 01\n;rm',
    agentVersion: '0.1.0',
  });
  const sent = JSON.parse(cloud.bodies[0] ?? '{}');
  t.same(Object.keys(sent).sort(), ['agentVersion', 'hostname', 'publicKeys', 'token']);
  t.equal(sent.hostname, 'edge-01--rm', 'a hostname the cloud accepts');
  t.same(sent.publicKeys, { signing: identity.signingKey.publicKey, box: identity.boxKey.publicKey });
  t.notMatch(cloud.bodies[0], /PRIVATE/, 'no private key leaves the box');
  t.equal(loadIdentity(dataDir).agentId, identity.agentId);
});

t.test('refusals, failures and garbage are clear errors and write nothing', async (t) => {
  const refused = await fakeCloud(
    t,
    json(409, {
      success: false,
      error: 'The enrollment token was already used',
      code: 'ENROLLMENT_TOKEN_USED',
    }),
  );
  await expectFailure(
    t,
    refused.url,
    'ENROLL_REFUSED',
    /ENROLLMENT_TOKEN_USED: The enrollment token was already used/,
  );
  const failing = await fakeCloud(
    t,
    json(503, { success: false, error: 'x', code: 'AGENT_BROKER_UNAVAILABLE' }),
  );
  await expectFailure(t, failing.url, 'ENROLL_CLOUD_ERROR', /AGENT_BROKER_UNAVAILABLE.*try again/);
  const proxy = await fakeCloud(t, json(502, '<html>bad gateway</html>'));
  await expectFailure(t, proxy.url, 'ENROLL_CLOUD_ERROR', /HTTP 502/);
  const html = await fakeCloud(t, json(201, '<html>hello</html>'));
  await expectFailure(t, html.url, 'ENROLL_BAD_ANSWER', /not an enrollment/);
  const ok200 = await fakeCloud(t, json(200, goodAnswer()));
  await expectFailure(t, ok200.url, 'ENROLL_BAD_ANSWER', /HTTP 200/);
  const huge = await fakeCloud(t, json(201, { success: true, data: 'x'.repeat(2 * 1024 * 1024) }));
  await expectFailure(t, huge.url, 'ENROLL_BAD_ANSWER', /larger than/);
  const hostile = await fakeCloud(t, json(400, { code: '\u001b[2J\u202eEVIL', error: 'x'.repeat(5000) }));
  await expectFailure(t, hostile.url, 'ENROLL_REFUSED', /^[\x20-\x7e]{1,400}$/);
});

t.test('answers with unusable fields are refused', async (t) => {
  const other = generateKeyPair('ed25519');
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['an agent id unfit for a topic', { agentId: 'a/b#' }, /agentId/],
    [
      'a user name other than the agent id',
      { mqtt: { ...goodAnswer().data.mqtt, username: 'someone' } },
      /username/,
    ],
    [
      'a broker URL with a login',
      { mqtt: { ...goodAnswer().data.mqtt, url: 'mqtt://u:p@h:1883' } },
      /mqtt.url/,
    ],
    [
      'a broker URL of another scheme',
      { mqtt: { ...goodAnswer().data.mqtt, url: 'http://h:1883' } },
      /mqtt.url/,
    ],
    ['no command key', { commandKeys: [] }, /commandKeys/],
    [
      'a command key under another id',
      { commandKeys: [{ keyId: cloudKey.keyId, publicKey: other.publicKey }] },
      /another id/,
    ],
    ['a command key that is no key', { commandKeys: [{ keyId: 'k', publicKey: 'AAAA' }] }, /not an Ed25519/],
  ];
  for (const [name, overrides, message] of cases) {
    const cloud = await fakeCloud(t, json(201, goodAnswer(overrides)));
    t.test(name, (t) => expectFailure(t, cloud.url, 'ENROLL_BAD_ANSWER', message));
  }
});

t.test('an unreachable or silent cloud times out with a clear error', async (t) => {
  const silent = await fakeCloud(t, () => undefined);
  await expectFailure(t, silent.url, 'ENROLL_UNREACHABLE', /cannot reach the cloud/, 300);
  await expectFailure(t, 'http://127.0.0.1:1', 'ENROLL_UNREACHABLE', /ECONNREFUSED/);
});

t.test('bad input is refused before any request', async (t) => {
  const dataDir = tempDir(t);
  const base = { token: TOKEN, dataDir, hostname: 'h', agentVersion: '0.1.0' };
  for (const cloudUrl of ['ftp://x', 'not a url', 'http://user:pw@cloud', 'http://cloud/?q=1']) {
    await t.rejects(enroll({ ...base, cloudUrl }), { code: 'ENROLL_BAD_INPUT' }, cloudUrl);
  }
  await t.rejects(enroll({ ...base, cloudUrl: 'http://127.0.0.1:1', token: 'a b' }), {
    code: 'ENROLL_BAD_INPUT',
  });
  t.notOk(existsSync(`${dataDir}/identity.json`));
});
