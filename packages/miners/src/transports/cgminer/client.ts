import { connect } from 'node:net';
import { MinerError, type MinerErrorCode } from '../../errors.js';
import { splitMultiReply } from './multi.js';
import { type CgminerReply, decodeReply } from './reply.js';
import { decodeTextReply } from './text.js';

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

export interface CgminerCommandOptions extends CgminerOptions {
  /**
   * `json` (default) sends `{"command":..,"parameter":..}`; `text` sends cgminer's plain `command|parameter`, which
   * the miner answers in its text form (decoded into the same CgminerReply).
   */
  form?: 'json' | 'text';
}

/** One cgminer-API command over its own connection; every failure is a MinerError. */
export async function cgminerCommand(
  host: string,
  command: string,
  parameter?: string,
  options: CgminerCommandOptions = {},
): Promise<CgminerReply> {
  const where = `cgminer '${command}' to ${host}:${options.port ?? DEFAULT_PORT}`;
  const text = options.form === 'text';
  const raw = await exchange(
    host,
    text ? textRequest(command, parameter) : jsonRequest(command, parameter),
    where,
    options,
  );
  return located(where, () => (text ? decodeTextReply(raw, command) : decodeReply(raw)));
}

function jsonRequest(command: string, parameter: string | undefined): string {
  return JSON.stringify(parameter === undefined ? { command } : { command, parameter });
}

/** cgminer splits a text request at its first `|`, so the parameter may hold more. */
function textRequest(command: string, parameter: string | undefined): string {
  return parameter === undefined ? command : `${command}|${parameter}`;
}

/**
 * Joined report commands in one request (`summary+pools+stats`, cgminer API >= 3.1; not every firmware joins, and
 * parameters are not allowed). Each member resolves to its CgminerReply or, when that member alone failed, its
 * MinerError; a failure of the whole exchange rejects.
 */
export async function cgminerMulti(
  host: string,
  commands: readonly string[],
  options: CgminerOptions = {},
): Promise<Map<string, CgminerReply | MinerError>> {
  const joined = commands.join('+');
  const where = `cgminer '${joined}' to ${host}:${options.port ?? DEFAULT_PORT}`;
  const raw = await exchange(host, JSON.stringify({ command: joined }), where, options);
  const replies = located(where, () => splitMultiReply(raw));
  for (const [command, result] of replies) {
    if (result instanceof MinerError) replies.set(command, withPlace(result, where));
  }
  return replies;
}

const DEFAULT_PORT = 4028;

/** Runs a decoder, naming the miner and command in any MinerError it throws. */
function located<T>(where: string, decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    throw error instanceof MinerError ? withPlace(error, where) : error;
  }
}

function withPlace(error: MinerError, where: string): MinerError {
  return new MinerError(error.code, `${where}: ${error.message}`, { cause: error.cause });
}

/**
 * Sends one request over one TCP connection, the way cgminer expects: the whole request in one write, then the
 * reply is read until its NUL terminator or EOF. Every failure is a MinerError; once settled, the socket is
 * destroyed and both timers are cleared, whichever way it ended. btminer's privileged API (transports/btminer)
 * rides on it too: same port, same framing, same limits.
 */
export function exchange(
  host: string,
  request: string,
  where: string,
  options: CgminerOptions,
): Promise<Buffer> {
  const port = options.port ?? DEFAULT_PORT;
  const connectTimeoutMs = options.connectTimeoutMs ?? 1000;
  const timeoutMs = options.timeoutMs ?? 5000;
  const maxReplyBytes = options.maxReplyBytes ?? 1024 * 1024;

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
      if (settle()) resolve(Buffer.concat(chunks));
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
