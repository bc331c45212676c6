import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

// The built console (scripts/build-web.ts: index.html plus content-hashed files in assets/), read into memory once
// when the app starts. Requests are answered from these maps only, so no request path ever reaches the file
// system: a hostile name (`..%2f`, a NUL, a very long one) is simply not a key.

export type Encoding = 'br' | 'gzip';

export interface WebFile {
  type: string;
  body: Buffer;
  /** Of the body: names this version in ETag. */
  hash: string;
  /** The compressed bodies (those smaller than the original), made once when first wanted. */
  encoded?: Promise<Partial<Record<Encoding, Buffer>>>;
}

export interface WebApp {
  index: WebFile;
  /** By file name (the build makes a flat folder). */
  assets: ReadonlyMap<string, WebFile>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};
const COMPRESSIBLE = /^(text\/|application\/json|image\/svg\+xml)/;
/** Names the build makes (app-ABC123.js, app-ABC123.js.map); anything else in the folder is not served. */
const ASSET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** Below this, compression saves less than its headers cost. */
const MIN_COMPRESS_BYTES = 512;

const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

function webFile(name: string, body: Buffer): WebFile {
  return {
    type: TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream',
    body,
    hash: createHash('sha256').update(body).digest('base64url').slice(0, 22),
  };
}

const missing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';

/** The console in `dir`, or undefined when it has not been built (no index.html). */
export async function loadWebApp(dir: string): Promise<WebApp | undefined> {
  let html: Buffer;
  try {
    html = await readFile(join(dir, 'index.html'));
  } catch (error) {
    if (missing(error)) return undefined;
    throw error;
  }
  const assets = new Map<string, WebFile>();
  const entries = await readdir(join(dir, 'assets'), { withFileTypes: true }).catch((error: unknown) => {
    if (missing(error)) return [];
    throw error;
  });
  for (const entry of entries) {
    if (!entry.isFile() || !ASSET_NAME.test(entry.name)) continue;
    assets.set(entry.name, webFile(entry.name, await readFile(join(dir, 'assets', entry.name))));
  }
  return { index: webFile('index.html', html), assets };
}

async function compress(file: WebFile): Promise<Partial<Record<Encoding, Buffer>>> {
  if (!COMPRESSIBLE.test(file.type) || file.body.length < MIN_COMPRESS_BYTES) return {};
  const [br, gz] = await Promise.all([
    brotli(file.body, {
      params: {
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_SIZE_HINT]: file.body.length,
      },
    }),
    gzipped(file.body, { level: 9 }),
  ]);
  return {
    ...(br.length < file.body.length ? { br } : {}),
    ...(gz.length < file.body.length ? { gzip: gz } : {}),
  };
}

/**
 * The file's compressed bodies, compressed on first use and kept. Not at start: every test builds an app, and
 * maximum-quality brotli of a bundle takes a good part of a second; a running console warms them all on its first
 * page load instead (warmAssets).
 */
export function encodedBodies(file: WebFile): Promise<Partial<Record<Encoding, Buffer>>> {
  file.encoded ??= compress(file);
  return file.encoded;
}

/** Starts compressing every asset but source maps (which only developer tools fetch). */
export function warmAssets(app: WebApp): void {
  for (const [name, file] of app.assets) {
    if (!name.endsWith('.map')) void encodedBodies(file).catch(() => undefined);
  }
}

/** The best encoding the client accepts among those made, or undefined for the plain body. */
export function pickEncoding(
  acceptEncoding: string | undefined,
  available: Partial<Record<Encoding, Buffer>>,
): Encoding | undefined {
  if (acceptEncoding === undefined) return undefined;
  const accepted = new Set<string>();
  for (const part of acceptEncoding.slice(0, 1024).split(',')) {
    const [name = '', ...params] = part.split(';').map((piece) => piece.trim().toLowerCase());
    const q = params.find((param) => param.startsWith('q='));
    if (q === undefined || Number(q.slice(2)) > 0) accepted.add(name);
  }
  if (available.br !== undefined && accepted.has('br')) return 'br';
  if (available.gzip !== undefined && (accepted.has('gzip') || accepted.has('*'))) return 'gzip';
  return undefined;
}
