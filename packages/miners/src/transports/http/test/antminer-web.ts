// Test support: a stock-Antminer-like web server on a loopback IP. It checks HTTP Digest itself, with its own
// parsing and hashing (not the client's), so a client bug cannot verify itself.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { loopbackAllocator } from '@hashinsight/testkit';
import { CORPUS_DIR } from '../../../test/recorded.js';

type Teardown = { teardown(fn: () => unknown): void };

/** What the server saw of one request. */
export interface SeenRequest {
  method: string;
  url: string;
  authorization?: string;
  contentType?: string;
  body: string;
  /** How the server judged the request: no credentials, wrong ones, an old nonce, or let through. */
  verdict: 'challenged' | 'refused' | 'stale' | 'ok';
}

/** Plays one CGI once the request is authenticated. */
export type Route = (request: IncomingMessage, response: ServerResponse, body: string) => void;

export interface AntminerWebOptions {
  username: string;
  password: string;
  routes: Record<string, Route>;
  realm?: string;
  /** Offer `qop="auth"` (default) or the RFC 2069 form without it. */
  qop?: boolean;
  /** Answer this many correctly hashed requests with a fresh nonce and `stale=true` before letting one through. */
  staleTimes?: number;
  /** Send no challenge at all (firmware without authentication). */
  open?: boolean;
  /** Drop the connection instead of answering a request without credentials (a box going down on its own). */
  dropUnauthenticated?: boolean;
}

/** A corpus file, read in place. */
export function corpusFile(path: string): Buffer {
  return readFileSync(join(CORPUS_DIR, path));
}

/** A route answering 200 with a corpus file. */
export function serve(path: string, contentType = 'text/plain'): Route {
  const body = corpusFile(path);
  return (_request, response) => {
    response.writeHead(200, { 'content-type': contentType, 'content-length': body.length });
    response.end(body);
  };
}

export async function startAntminerWeb(t: Teardown, options: AntminerWebOptions) {
  const [host] = loopbackAllocator.take(1) as [string];
  const realm = options.realm ?? 'antMiner Configuration';
  const seen: SeenRequest[] = [];
  let nonce = freshNonce();
  let staleLeft = options.staleTimes ?? 0;
  const unauthorizedPage = corpusFile('antminer-cgi/unauthorized.401.html');

  const challenge = (response: ServerResponse, stale: boolean) => {
    nonce = freshNonce();
    const qop = options.qop === false ? '' : ', qop="auth"';
    response.writeHead(401, {
      'www-authenticate': `Digest realm="${realm}", nonce="${nonce}"${qop}${stale ? ', stale=true' : ''}`,
      'content-type': 'text/html',
      'content-length': unauthorizedPage.length,
    });
    response.end(unauthorizedPage);
  };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const authorization = request.headers.authorization;
      const entry: SeenRequest = {
        method: request.method ?? '',
        url: request.url ?? '',
        body,
        verdict: 'ok',
        ...(authorization === undefined ? {} : { authorization }),
        ...(request.headers['content-type'] === undefined
          ? {}
          : { contentType: request.headers['content-type'] }),
      };
      seen.push(entry);
      if (!options.open) {
        const judged = judge(authorization, entry, realm, nonce, options);
        if (judged === 'ok' && staleLeft > 0) {
          staleLeft--;
          entry.verdict = 'stale';
          return challenge(response, true);
        }
        if (judged !== 'ok') {
          entry.verdict = judged;
          if (options.dropUnauthenticated && authorization === undefined) return request.socket.destroy();
          return challenge(response, false);
        }
      }
      const route = options.routes[new URL(entry.url, 'http://miner').pathname];
      if (route) return route(request, response, body);
      response.writeHead(404, { 'content-type': 'text/html' });
      response.end(
        '<html><head><title>404 - Not Found</title></head><body><h1>404 - Not Found</h1></body></html>',
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  t.teardown(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  return { host, port: (server.address() as AddressInfo).port, seen };
}

function freshNonce(): string {
  return randomBytes(12).toString('base64');
}

/** RFC 7616 §3.4.1 by hand, MD5 only, with and without qop. */
function judge(
  header: string | undefined,
  { method, url }: SeenRequest,
  realm: string,
  nonce: string,
  options: AntminerWebOptions,
): SeenRequest['verdict'] {
  if (header === undefined || !header.startsWith('Digest ')) return 'challenged';
  const fields = new Map<string, string>();
  for (const [, name, quoted, bare] of header.matchAll(/(\w+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]+))/g)) {
    fields.set(name as string, (quoted ?? bare ?? '').replaceAll(/\\(.)/g, '$1'));
  }
  const md5 = (text: string) => createHash('md5').update(text).digest('hex');
  const ha1 = md5(`${options.username}:${realm}:${options.password}`);
  const ha2 = md5(`${method}:${fields.get('uri')}`);
  const expected =
    options.qop === false
      ? md5(`${ha1}:${nonce}:${ha2}`)
      : md5(`${ha1}:${nonce}:${fields.get('nc')}:${fields.get('cnonce')}:auth:${ha2}`);
  if (fields.get('nonce') !== nonce || fields.get('realm') !== realm || fields.get('uri') !== url)
    return 'refused';
  if (options.qop !== false && (fields.get('qop') !== 'auth' || fields.get('nc') !== '00000001'))
    return 'refused';
  return fields.get('username') === options.username && fields.get('response') === expected
    ? 'ok'
    : 'refused';
}
