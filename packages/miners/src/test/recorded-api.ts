// Test support: a miner's token API on loopback that answers from recorded replies, reached through the real
// transport (connectClients → tokenHttp), so driver tests see exactly what the wire gives.
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { corpusFile, loopbackAllocator } from '@hashinsight/testkit';
import type { MinerClients } from '../driver.js';
import { connectClients } from '../read.js';
import type { TokenLogin } from '../transports/token-http/index.js';

type Teardown = { teardown(fn: () => unknown): void };

/** A corpus path (HTTP 200), or a status and JSON written in the test. */
export type ApiReply = string | { status: number; json: unknown };

export interface ApiCallSeen {
  method: string;
  path: string;
  body?: unknown;
}

export interface RecordedApiOptions {
  login: TokenLogin;
  /** The login reply (a corpus path or JSON); its `token` is the one the API honours afterwards. */
  loginReply: ApiReply;
  /** `METHOD /path` → reply; a call without one is a 404. */
  routes: Record<string, ApiReply | ApiReply[]>;
  password?: string;
  /** The password the clients log in with (default: the right one). */
  clientPassword?: string;
}

function body(reply: ApiReply): { status: number; text: string } {
  return typeof reply === 'string'
    ? { status: 200, text: corpusFile(reply).toString('utf8') }
    : { status: reply.status, text: JSON.stringify(reply.json) };
}

/**
 * Starts the API and returns clients bound to it with the web credentials. The login must carry the password
 * (else 401); every other call must carry the login's token in the login's header form (else 401). A route given
 * a list answers its replies in turn, the last one from then on. Calls after the login are recorded in `seen`.
 */
export async function recordedApi(
  t: Teardown,
  options: RecordedApiOptions,
): Promise<{ clients: MinerClients; seen: ApiCallSeen[] }> {
  const [ip] = loopbackAllocator.take(1) as [string];
  const password = options.password ?? 'recorded-pw';
  const login = body(options.loginReply);
  const token = (JSON.parse(login.text) as { token: string }).token;
  const seen: ApiCallSeen[] = [];
  const turns = new Map<string, number>();
  const sockets = new Set<Socket>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const json = text === '' ? undefined : JSON.parse(text);
      const key = `${request.method} ${request.url}`;
      const send = ({ status, text }: { status: number; text: string }) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(text);
      };
      if (request.url === options.login.path) {
        const expected = JSON.stringify(options.login.body({ username: 'root', password }));
        return send(text === expected ? login : { status: 401, text: '{"error":"unauthorized"}' });
      }
      if (request.headers.authorization !== options.login.authorization(token)) {
        return send({ status: 401, text: '{"error":"unauthorized"}' });
      }
      seen.push({
        method: request.method ?? '',
        path: request.url ?? '',
        ...(json === undefined ? {} : { body: json }),
      });
      const route = options.routes[key];
      if (route === undefined) return send({ status: 404, text: '{"error":"not found"}' });
      const list = Array.isArray(route) ? route : [route];
      const turn = turns.get(key) ?? 0;
      turns.set(key, turn + 1);
      send(body(list[Math.min(turn, list.length - 1)] as ApiReply));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, ip, resolve));
  t.teardown(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise((resolve) => server.close(resolve));
  });
  const port = (server.address() as AddressInfo).port;
  const clients = connectClients(ip, {
    web: { port, credentials: { username: 'root', password: options.clientPassword ?? password } },
  });
  return { clients, seen };
}
