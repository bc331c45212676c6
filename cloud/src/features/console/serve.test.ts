// The console served by the cloud, from a temp folder shaped like the build's output: the HTML shell at / and at
// every browser navigation outside the API, hashed assets with long caching and compression, security headers,
// the JSON 404 everywhere else, hostile asset names, and a clear 503 when nothing was built.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { tempDir } from '@hashinsight/testkit';
import type { FastifyInstance } from 'fastify';
import t, { type Test } from 'tap';
import { buildApp } from '../../app.js';
import { migrateToLatest, openDatabase } from '../../db/index.js';
import { createEmbeddedBroker } from '../../plugins/broker.js';
import { captureLogs, JWT_SECRET } from '../../test/helpers.js';
import { CONTENT_SECURITY_POLICY } from './index.js';

const INDEX =
  '<!doctype html><html><head><title>HashInsight</title></head><body><div id="app"></div></body></html>';
const SCRIPT = `console.log(${JSON.stringify('a console bundle '.repeat(200))});`;
const STYLE = `body { color: black; }\n${'.x { margin: 0; }\n'.repeat(100)}`;
const SECRET = 'a file next to the web folder that must never be served';

/** A web folder like scripts/build-web.ts makes, with a secret beside it and a nested folder inside assets. */
function webFolder(t: Test): string {
  const root = tempDir(t);
  writeFileSync(join(root, 'secret.txt'), SECRET);
  const web = join(root, 'web');
  mkdirSync(join(web, 'assets', 'nested'), { recursive: true });
  writeFileSync(join(web, 'index.html'), INDEX);
  writeFileSync(join(web, 'assets', 'app-ABC123.js'), SCRIPT);
  writeFileSync(join(web, 'assets', 'app-ABC123.css'), STYLE);
  writeFileSync(join(web, 'assets', 'app-ABC123.js.map'), '{"version":3,"sources":[],"mappings":""}');
  writeFileSync(join(web, 'assets', 'nested', 'inner.js'), SECRET);
  writeFileSync(join(web, 'secret.txt'), SECRET);
  return web;
}

async function appServing(t: Test, webDir: string): Promise<FastifyInstance> {
  const logs = captureLogs();
  const db = openDatabase({ dataDir: tempDir(t) });
  await migrateToLatest(db);
  const broker = await createEmbeddedBroker(logs.logger, { verifyAgent: async () => false });
  const app = await buildApp({
    db,
    broker,
    jwtSecret: JWT_SECRET,
    logger: logs.logger,
    commandEngine: { timers: false },
    console: { webDir },
  });
  t.teardown(async () => {
    await app.close();
    await broker.close();
    await db.destroy();
  });
  return app;
}

const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

t.test('the shell at / and at every console path a browser opens, with its security headers', async (t) => {
  const web = webFolder(t);
  const app = await appServing(t, web);
  // Read once at start: a change on disk is not served until a restart.
  writeFileSync(join(web, 'index.html'), 'changed on disk');

  for (const url of ['/', '/miners', '/miners/agent-1/aabbccddeeff?sort=hashrate', '/portal/keys']) {
    const response = await app.inject({ method: 'GET', url, headers: HTML });
    t.equal(response.statusCode, 200, `${url} is the shell`);
    t.equal(response.body, INDEX, `${url} body`);
    t.equal(response.headers['content-type'], 'text/html; charset=utf-8');
    t.equal(response.headers['cache-control'], 'no-cache');
    t.equal(response.headers['content-security-policy'], CONTENT_SECURITY_POLICY);
    t.equal(response.headers['x-content-type-options'], 'nosniff');
    t.equal(response.headers['referrer-policy'], 'no-referrer');
  }
  const csp = CONTENT_SECURITY_POLICY;
  for (const directive of [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "connect-src 'self'",
    "img-src 'self' data:",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ])
    t.ok(csp.split('; ').includes(directive), `CSP has ${directive}`);
  t.notMatch(csp, /unsafe-inline|unsafe-eval/, 'nothing inline is allowed');

  const icon = await app.inject({ method: 'GET', url: '/favicon.ico', headers: { accept: 'image/*' } });
  t.equal(icon.statusCode, 204, 'no icon, and no 404 in the browser console either');

  // / answers whatever the client accepts (curl, a probe): it is the console's address.
  t.equal((await app.inject({ method: 'GET', url: '/' })).body, INDEX);
  const head = await app.inject({ method: 'HEAD', url: '/' });
  t.equal(head.statusCode, 200);
  t.equal(head.body, '', 'HEAD has no body');

  // The browser revalidates the shell at every load: unchanged, it is a 304.
  const etag = (await app.inject({ method: 'GET', url: '/' })).headers.etag as string;
  t.match(etag, /^"[\w-]+"$/);
  const again = await app.inject({ method: 'GET', url: '/', headers: { 'if-none-match': etag } });
  t.equal(again.statusCode, 304);
  t.equal(again.body, '');
});

t.test('the API, its docs, probes and non-browser requests keep their JSON answers', async (t) => {
  const app = await appServing(t, webFolder(t));
  const notFound = async (url: string, headers: Record<string, string> = HTML, method = 'GET') => {
    const response = await app.inject({ method: method as 'GET', url, headers });
    t.equal(response.statusCode, 404, `${method} ${url} is 404`);
    t.match(response.headers['content-type'], /^application\/json/, `${url} answers JSON`);
    t.match(response.json(), { success: false, code: 'ROUTE_NOT_FOUND' }, `${url} envelope`);
  };
  await notFound('/api');
  await notFound('/api/nothing-here');
  await notFound('/api/miners/a/b/c/d');
  await notFound('/docsx');
  await notFound('/miners', { accept: 'application/json' });
  await notFound('/miners', {});
  await notFound('/', HTML, 'POST');
  // Real routes are untouched.
  const health = await app.inject({ method: 'GET', url: '/healthz', headers: HTML });
  t.equal(health.statusCode, 200);
  t.equal(health.json().data.status, 'ok');
  const login = await app.inject({ method: 'GET', url: '/api/auth/login', headers: HTML });
  t.equal(login.statusCode, 404, 'a wrong method on an API route stays the JSON 404');
  t.equal(login.json().code, 'ROUTE_NOT_FOUND');
});

t.test('assets: immutable caching, content types, br and gzip, ETags', async (t) => {
  const app = await appServing(t, webFolder(t));
  const plain = await app.inject({ method: 'GET', url: '/assets/app-ABC123.js' });
  t.equal(plain.statusCode, 200);
  t.equal(plain.body, SCRIPT);
  t.equal(plain.headers['content-type'], 'text/javascript; charset=utf-8');
  t.equal(plain.headers['cache-control'], 'public, max-age=31536000, immutable');
  t.equal(plain.headers['x-content-type-options'], 'nosniff');
  t.equal(plain.headers['content-encoding'], undefined);
  t.equal(plain.headers.vary, 'accept-encoding');

  const br = await app.inject({
    method: 'GET',
    url: '/assets/app-ABC123.js',
    headers: { 'accept-encoding': 'gzip, deflate, br, zstd' },
  });
  t.equal(br.headers['content-encoding'], 'br');
  t.equal(brotliDecompressSync(br.rawPayload).toString(), SCRIPT);
  t.ok(
    br.rawPayload.length < SCRIPT.length / 4,
    `compressed ${SCRIPT.length} -> ${br.rawPayload.length} bytes`,
  );
  t.not(br.headers.etag, plain.headers.etag, 'each encoding has its own ETag');

  const gz = await app.inject({
    method: 'GET',
    url: '/assets/app-ABC123.css',
    headers: { 'accept-encoding': 'br;q=0, gzip' },
  });
  t.equal(gz.headers['content-type'], 'text/css; charset=utf-8');
  t.equal(gz.headers['content-encoding'], 'gzip', 'br refused with q=0');
  t.equal(gunzipSync(gz.rawPayload).toString(), STYLE);

  const map = await app.inject({ method: 'GET', url: '/assets/app-ABC123.js.map' });
  t.equal(map.headers['content-type'], 'application/json; charset=utf-8');
  t.equal(map.headers['content-encoding'], undefined, 'too small to be worth compressing');

  const cached = await app.inject({
    method: 'GET',
    url: '/assets/app-ABC123.js',
    headers: { 'accept-encoding': 'br', 'if-none-match': `W/"x", ${br.headers.etag as string}` },
  });
  t.equal(cached.statusCode, 304);

  const missing = await app.inject({ method: 'GET', url: '/assets/app-OLD999.js', headers: HTML });
  t.equal(missing.statusCode, 404, 'an asset of an older build is a 404, not the shell');
  t.match(missing.json(), { success: false, code: 'CONSOLE_ASSET_NOT_FOUND' });
});

t.test('hostile asset paths reach nothing outside the built assets', async (t) => {
  const app = await appServing(t, webFolder(t));
  const hostile = [
    '/assets/..%2fsecret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/assets/%2e%2e%2fsecret.txt',
    '/assets/..%5csecret.txt',
    '/assets/nested/inner.js',
    '/assets/nested%2finner.js',
    '/assets/nested',
    '/assets/app-ABC123.js%00.png',
    '/assets/%00',
    '/assets/',
    `/assets/${'a'.repeat(129)}.js`,
    `/assets/${'a'.repeat(5000)}.js`,
    '/assets/%E0%A4%A',
    '/%2e%2e/secret.txt',
    '/..%2fsecret.txt',
    // Dot segments a client may send unnormalised (the URL parser may also resolve them first).
    '/assets/../secret.txt',
    '/assets/..',
    '/assets/../../secret.txt',
  ];
  for (const url of hostile) {
    const name = url.length > 60 ? `${url.slice(0, 40)}… (${url.length} characters)` : url;
    for (const headers of [{}, HTML]) {
      const response = await app.inject({ method: 'GET', url, headers });
      t.notMatch(response.body, SECRET, `${name}: nothing of the secret`);
      t.ok(response.statusCode < 500, `${name}: ${response.statusCode}, not a server error`);
      if (url.startsWith('/assets/') && !url.includes('/..')) {
        t.ok(response.statusCode >= 400, `${name} is refused (${response.statusCode})`);
        t.equal(response.json().success, false, `${name}: an error envelope`);
      }
    }
  }
});

t.test('without a build, the console says how to make one and the API still works', async (t) => {
  const app = await appServing(t, join(tempDir(t), 'never-built'));
  for (const url of ['/', '/miners']) {
    const response = await app.inject({ method: 'GET', url, headers: HTML });
    t.equal(response.statusCode, 503, `${url} is 503`);
    t.match(response.json(), { success: false, code: 'CONSOLE_NOT_BUILT', error: /npm run build/ });
  }
  t.equal((await app.inject({ method: 'GET', url: '/assets/app.js' })).statusCode, 404);
  t.equal(
    (await app.inject({ method: 'GET', url: '/api/nothing', headers: HTML })).json().code,
    'ROUTE_NOT_FOUND',
  );
  t.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
});
