import { Agent, errors, request } from 'undici';
import { SourceError } from './errors.js';

export interface FetchLimits {
  /** TCP and TLS handshake. */
  connectTimeoutMs: number;
  /** The whole exchange, head and body: a slow drip cannot hold a refresh longer. */
  timeoutMs: number;
  /** Largest body read; the connection is dropped as soon as more arrives. */
  maxBytes: number;
}

export const DEFAULT_FETCH_LIMITS: FetchLimits = {
  connectTimeoutMs: 3_000,
  timeoutMs: 8_000,
  maxBytes: 256 * 1024,
};

/** GETs a URL and returns its body as text; every failure is a SourceError that says which kind. */
export type Fetcher = (url: string, headers?: Record<string, string>) => Promise<string>;

/**
 * A Fetcher over one undici Agent (keep-alive across refreshes) with the limits applied to every request.
 * Redirects are not followed (undici's request does not), so a source cannot bounce us elsewhere.
 */
export function createFetcher(limits: FetchLimits = DEFAULT_FETCH_LIMITS): {
  fetch: Fetcher;
  close: () => Promise<void>;
} {
  const agent = new Agent({
    connect: { timeout: limits.connectTimeoutMs },
    headersTimeout: limits.timeoutMs,
    bodyTimeout: limits.timeoutMs,
  });
  const fetch: Fetcher = async (url, headers = {}) => {
    const signal = AbortSignal.timeout(limits.timeoutMs);
    try {
      const response = await request(url, {
        method: 'GET',
        dispatcher: agent,
        signal,
        headers: { accept: 'application/json, text/plain', 'user-agent': 'hashinsight-cloud', ...headers },
      });
      if (response.statusCode < 200 || response.statusCode > 299) {
        await response.body.dump().catch(() => {});
        throw new SourceError('NETWORK_SOURCE_HTTP', `HTTP ${response.statusCode}`);
      }
      if (Number(response.headers['content-length']) > limits.maxBytes) {
        response.body.destroy();
        throw tooLarge(limits.maxBytes);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > limits.maxBytes) throw tooLarge(limits.maxBytes); // leaving the loop destroys the body
        chunks.push(chunk);
      }
      return Buffer.concat(chunks).toString('utf8');
    } catch (error) {
      throw classify(error, signal);
    }
  };
  return { fetch, close: () => agent.close() };
}

const tooLarge = (maxBytes: number) =>
  new SourceError('NETWORK_SOURCE_TOO_LARGE', `response over ${maxBytes} bytes`);

function classify(error: unknown, signal: AbortSignal): SourceError {
  if (error instanceof SourceError) return error;
  if (
    signal.aborted ||
    error instanceof errors.ConnectTimeoutError ||
    error instanceof errors.HeadersTimeoutError ||
    error instanceof errors.BodyTimeoutError
  ) {
    return new SourceError('NETWORK_SOURCE_TIMEOUT', 'no complete answer in time', { cause: error });
  }
  const code = (error as { code?: string }).code ?? '';
  return new SourceError('NETWORK_SOURCE_UNREACHABLE', `request failed${code ? ` (${code})` : ''}`, {
    cause: error,
  });
}
