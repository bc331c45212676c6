import { MinerError } from '../../errors.js';

/** What a CGI answered: its status, its body as text and, when JSON was expected, the parsed body. */
export interface WebResponse {
  status: number;
  text: string;
  json?: unknown;
  /** Only with `dropMeansDone`: the authenticated request reached the CGI and the miner went down (status 0 or 500). */
  dropped?: true;
}

/** Whether the caller wants the body parsed as JSON (most CGIs) or as text (`set_miner_conf.cgi` prints `ok`). */
export type WebExpect = 'json' | 'text';

/**
 * The miner answered with an HTTP error status (other than 401, which is MINER_AUTH_FAILED). `status` lets a
 * driver tell a missing CGI (404) from a CGI that died, such as a `reboot.cgi` that took the miner down (500).
 */
export class WebStatusError extends MinerError {
  readonly status: number;

  constructor(status: number, message: string) {
    super('MINER_COMMAND_FAILED', message);
    this.status = status;
  }
}

/**
 * Judges the final response of a request (after authentication): 2xx is the answer; a redirect is refused
 * (MINER_BAD_REPLY: we never follow one, so credentials never reach another host); 4xx/5xx is a WebStatusError
 * named by the status and, for an HTML error page, its title. With `expect: 'json'` the body must be JSON, blank
 * lines before it tolerated (`get_miner_conf.cgi` starts with some); otherwise MINER_BAD_REPLY.
 */
export function judgeResponse(status: number, body: Buffer, expect: WebExpect): WebResponse {
  const text = body.toString('utf8');
  if (status >= 300 && status < 400) {
    throw new MinerError('MINER_BAD_REPLY', `HTTP ${status} redirect not followed`);
  }
  if (status >= 400) {
    const title = htmlTitle(text);
    throw new WebStatusError(status, `HTTP ${status}${title ? `: ${title}` : ''}`);
  }
  if (expect === 'text') return { status, text };
  return { status, text, json: parseJsonBody(text, body.length) };
}

function parseJsonBody(text: string, bytes: number): unknown {
  const trimmed = text.trim();
  if (trimmed === '') throw new MinerError('MINER_BAD_REPLY', 'empty body where JSON was expected');
  if (trimmed.startsWith('<')) {
    const title = htmlTitle(trimmed);
    throw new MinerError('MINER_BAD_REPLY', `HTML where JSON was expected${title ? ` (${title})` : ''}`);
  }
  try {
    return JSON.parse(trimmed);
  } catch {
    // Neither the body nor V8's excerpt of it goes into the error: a miner config carries pool passwords.
    throw new MinerError('MINER_BAD_REPLY', `body is not JSON (${bytes} bytes)`);
  }
}

/** The `<title>` of an HTML page, whitespace collapsed; only the head is searched, so hostile bodies stay cheap. */
export function htmlTitle(text: string): string | undefined {
  const title = /<title[^>]{0,100}>([^<]{0,200})<\/title>/i.exec(text.slice(0, 4096))?.[1];
  const clean = title?.replaceAll(/\s+/g, ' ').trim();
  return clean || undefined;
}
