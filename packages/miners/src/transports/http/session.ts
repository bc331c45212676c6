import type { IncomingHttpHeaders } from 'node:http';
import { Client } from 'undici';
import { MinerError, type MinerErrorCode } from '../../errors.js';

export interface SessionLimits {
  /** How long each TCP handshake may take. */
  connectTimeoutMs: number;
  /** Deadline for the whole session: every request in it, authentication rounds included. */
  timeoutMs: number;
  /** Largest response body accepted; the connection is dropped as soon as more arrives. */
  maxBytes: number;
}

export interface SessionRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** One response, its body read in full. */
export interface Exchanged {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * The requests of one web call to one miner (the challenge round and the authenticated request) over one undici
 * Client, so keep-alive spares the second handshake, under one total deadline and a per-response size cap.
 * Redirects are never followed: undici's Client does not follow them. `close()` always; it waits for the socket.
 */
export class HttpSession {
  private readonly client: Client;
  private readonly controller = new AbortController();
  private readonly deadline: NodeJS.Timeout;
  private connected = false;
  private timedOut = false;
  /** Whether the request in flight got its response head: a drop before it means the miner never answered. */
  private answered = false;

  constructor(
    origin: string,
    private readonly limits: SessionLimits,
  ) {
    this.client = new Client(origin, {
      connect: { timeout: limits.connectTimeoutMs },
      // Backstops only: the deadline below is what bounds a slow drip, since these reset on every byte.
      headersTimeout: limits.timeoutMs,
      bodyTimeout: limits.timeoutMs,
    });
    this.client.on('connect', () => {
      this.connected = true;
    });
    this.deadline = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort();
    }, limits.timeoutMs);
  }

  async send(request: SessionRequest): Promise<Exchanged> {
    this.answered = false;
    const response = await this.client.request({ ...request, signal: this.controller.signal });
    this.answered = true;
    const { maxBytes } = this.limits;
    if (Number(response.headers['content-length']) > maxBytes) throw tooLarge(maxBytes);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) throw tooLarge(maxBytes); // leaving the loop destroys the body and its socket
      chunks.push(chunk);
    }
    return { status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks) };
  }

  /** What went wrong, as a MinerError: our own errors pass through, the HTTP client's are classified. */
  explain(error: unknown): MinerError {
    if (error instanceof MinerError) return error;
    if (this.timedOut) {
      return this.connected
        ? new MinerError('MINER_TIMEOUT', `no complete reply within ${this.limits.timeoutMs} ms`)
        : new MinerError('MINER_CONNECT_TIMEOUT', `no connection within ${this.limits.timeoutMs} ms`);
    }
    const { code, name, message } = error as { code?: unknown; name?: unknown; message?: unknown };
    const text = typeof message === 'string' ? message : String(error);
    // undici's parser errors carry their llhttp code only sometimes; the name is reliable.
    const kind = name === 'HTTPParserError' ? 'HPE_' : typeof code === 'string' ? code : '';
    return new MinerError(this.classify(kind), text, { cause: error });
  }

  async close(): Promise<void> {
    clearTimeout(this.deadline);
    await this.client.destroy();
  }

  private classify(code: string): MinerErrorCode {
    if (code === 'ECONNREFUSED') return 'MINER_CONNECT_REFUSED';
    if (code === 'UND_ERR_CONNECT_TIMEOUT') return 'MINER_CONNECT_TIMEOUT';
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return 'MINER_TIMEOUT';
    if (code === 'UND_ERR_HEADERS_OVERFLOW') return 'MINER_REPLY_TOO_LARGE';
    // llhttp's codes: whatever is on the port does not speak HTTP/1.1.
    if (code.startsWith('HPE_')) return 'MINER_BAD_REPLY';
    // EHOSTUNREACH and friends before any handshake mean no one answered ARP, as good as a connect timeout.
    if (!this.connected) return 'MINER_CONNECT_TIMEOUT';
    // A drop before the response head (a reboot.cgi taking the miner down) differs from one in the middle of it.
    return this.answered ? 'MINER_CONNECTION_RESET' : 'MINER_EMPTY_REPLY';
  }
}

function tooLarge(maxBytes: number): MinerError {
  return new MinerError('MINER_REPLY_TOO_LARGE', `response exceeds ${maxBytes} bytes`);
}
