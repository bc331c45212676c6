import { connect } from 'node:net';
import { MinerError, type MinerErrorCode } from '../../errors.js';
import { type CgminerReply, decodeReply } from './reply.js';

export interface CgminerOptions {
  /** TCP port of the API (default 4028). */
  port?: number;
  /** How long the TCP handshake may take (default 1000 ms). */
  connectTimeoutMs?: number;
  /** Deadline for the whole request, connect included (default 5000 ms). */
  timeoutMs?: number;
  /** Largest reply accepted; the socket is destroyed as soon as more arrives (default 1 MiB). */
  maxReplyBytes?: number;
}

/**
 * Sends one command over one TCP connection, the way cgminer expects: the whole request in one write, then the
 * reply is read until its NUL terminator or EOF. Every failure is a MinerError; once settled, the socket is
 * destroyed and both timers are cleared, whichever way it ended.
 */
export function cgminerCommand(
  host: string,
  command: string,
  parameter?: string,
  options: CgminerOptions = {},
): Promise<CgminerReply> {
  const port = options.port ?? 4028;
  const connectTimeoutMs = options.connectTimeoutMs ?? 1000;
  const timeoutMs = options.timeoutMs ?? 5000;
  const maxReplyBytes = options.maxReplyBytes ?? 1024 * 1024;
  const where = `cgminer '${command}' to ${host}:${port}`;
  const request = JSON.stringify(parameter === undefined ? { command } : { command, parameter });

  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let connected = false;
    let settled = false;

    const socket = connect({ host, port });
    const connectTimer = setTimeout(
      () => fail('MINER_CONNECT_TIMEOUT', `no connection within ${connectTimeoutMs} ms`),
      connectTimeoutMs,
    );
    // A total deadline, not an idle timeout: a peer dripping one byte at a time must not keep us waiting.
    const deadline = setTimeout(
      () =>
        connected
          ? fail('MINER_TIMEOUT', `no complete reply within ${timeoutMs} ms`)
          : fail('MINER_CONNECT_TIMEOUT', `no connection within ${timeoutMs} ms`),
      timeoutMs,
    );

    function settle(): boolean {
      if (settled) return false;
      settled = true;
      clearTimeout(connectTimer);
      clearTimeout(deadline);
      socket.destroy();
      return true;
    }

    function fail(code: MinerErrorCode, message: string, cause?: unknown): void {
      if (settle()) reject(new MinerError(code, `${where}: ${message}`, { cause }));
    }

    function finish(): void {
      if (!settle()) return;
      try {
        resolve(decodeReply(Buffer.concat(chunks)));
      } catch (error) {
        reject(
          error instanceof MinerError
            ? new MinerError(error.code, `${where}: ${error.message}`, { cause: error.cause })
            : error,
        );
      }
    }

    socket.once('connect', () => {
      connected = true;
      clearTimeout(connectTimer);
      socket.write(request);
    });
    socket.on('data', (chunk: Buffer) => {
      const end = chunk.indexOf(0);
      const part = end === -1 ? chunk : chunk.subarray(0, end);
      received += part.length;
      if (received > maxReplyBytes) {
        fail('MINER_REPLY_TOO_LARGE', `reply exceeds ${maxReplyBytes} bytes`);
        return;
      }
      chunks.push(part);
      if (end !== -1) finish();
    });
    socket.once('end', () => {
      // cgminer closes without a word on a host that --api-allow does not list.
      if (received === 0) fail('MINER_EMPTY_REPLY', 'connection closed without a reply');
      else finish();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      fail(socketErrorCode(error.code, connected, received), error.message, error);
    });
  });
}

/** What a socket error means depends on how far the exchange got. */
function socketErrorCode(errno: string | undefined, connected: boolean, received: number): MinerErrorCode {
  if (errno === 'ECONNREFUSED') return 'MINER_CONNECT_REFUSED';
  // EHOSTUNREACH and friends before the handshake mean no one answered ARP, as good as a connect timeout.
  if (!connected) return 'MINER_CONNECT_TIMEOUT';
  // A denying cgminer closes without reading our request, and the kernel may turn that close into a RST.
  if (received === 0) return 'MINER_EMPTY_REPLY';
  return 'MINER_CONNECTION_RESET';
}
