import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';

export interface HealthServerOptions {
  /** TCP port on 127.0.0.1; 0 picks a free one (tests). */
  port: number;
  /** The snapshot GET /status answers with: plain JSON, no secrets. */
  status: () => Record<string, unknown>;
  /** Liveness: false (with a reason) makes GET /healthz answer 503, e.g. when the poll loop has stalled. */
  live?: () => { ok: boolean; reason?: string };
  logger: Logger;
}

export interface HealthServer {
  /** The port it listens on. */
  port: number;
  close(): Promise<void>;
}

/** Host headers a local client sends; any other name (a DNS-rebinding page in a browser) is refused. */
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost']);

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}

const ok = (data: unknown) => ({ success: true, data, timestamp: new Date().toISOString() });
const failure = (code: string, error: string) => ({
  success: false,
  error,
  code,
  timestamp: new Date().toISOString(),
});

function hostIsLocal(req: IncomingMessage, port: number): boolean {
  const host = req.headers.host;
  if (host === undefined) return true; // HTTP/1.0 clients (busybox wget) send none; browsers always do
  const match = /^([^:]+)(?::(\d+))?$/.exec(host);
  return (
    match !== null &&
    LOCAL_HOSTS.has(match[1] as string) &&
    (match[2] === undefined || Number(match[2]) === port)
  );
}

/**
 * The agent's local read-only health endpoint: GET /healthz (liveness) and GET /status (a JSON snapshot) on
 * 127.0.0.1 only, never reachable from the mining LAN. Anything else is 404 or 405; request bodies are never read.
 */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  let port = options.port;
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    req.resume(); // a body is never read: drain it, don't buffer it
    if (!hostIsLocal(req, port))
      return send(res, 403, failure('HEALTH_FORBIDDEN_HOST', 'local clients only'));
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/healthz' && path !== '/status')
      return send(res, 404, failure('HEALTH_NOT_FOUND', 'not found'));
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return send(res, 405, failure('HEALTH_METHOD_NOT_ALLOWED', 'read-only endpoint'), {
        allow: 'GET, HEAD',
      });
    }
    try {
      if (path === '/healthz') {
        const live = options.live?.() ?? { ok: true };
        return live.ok
          ? send(res, 200, ok({ status: 'ok' }))
          : send(res, 503, failure('HEALTH_NOT_LIVE', live.reason ?? 'not live'));
      }
      return send(res, 200, ok(options.status()));
    } catch (error) {
      options.logger.error({ err: error }, 'health status failed');
      return send(res, 500, failure('HEALTH_STATUS_FAILED', 'status unavailable'));
    }
  };
  const server: Server = createServer(
    { requestTimeout: 5000, headersTimeout: 5000, keepAliveTimeout: 1000, maxHeaderSize: 8192 },
    handle,
  );
  server.maxConnections = 32;
  server.maxRequestsPerSocket = 100;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
