// Test support: miners that answer from real recorded replies, decoded exactly as the transport decodes them.
import { corpusFile } from '@hashinsight/testkit';
import type { MinerClients } from '../driver.js';
import { MinerError } from '../errors.js';
import type { Reading } from '../reading.js';
import { type CgminerReply, decodeReply } from '../transports/cgminer/reply.js';
import type { WebBody } from '../transports/http/index.js';
import { judgeResponse } from '../transports/http/response.js';

export { CORPUS_DIR, corpusMissing } from '@hashinsight/testkit';

/** A corpus file as the miner put it on the wire: its bytes and cgminer's NUL terminator. */
export function corpusReply(path: string): Buffer {
  return Buffer.concat([corpusFile(path), Buffer.from([0])]);
}

/**
 * What the recorded web CGI answers for one path: a corpus file (HTTP 200), a status and body written in the test,
 * a MinerError the transport would have thrown (a dropped connection, refused credentials), or `dropped`: the miner
 * went down once the authenticated request reached the CGI.
 */
export type WebReply = string | { status: number; body: string } | MinerError | 'dropped';

/** One call a driver made to the recorded web CGI. */
export interface WebCallSeen {
  path: string;
  method: 'GET' | 'POST';
  body?: WebBody;
}

/**
 * Clients of a miner that answers from recorded replies: `replies` maps a command (or `command|parameter`) to a
 * corpus path. A command it has no reply for is refused the way cgminer refuses one (STATUS E, Code 14).
 *
 * With `webReplies` (CGI path to reply) the miner also has a web CGI, its answers judged exactly as the HTTP
 * transport judges them; a path without a reply is a 404. Without it the clients have no `web`, as when no
 * credentials were given. Every call is recorded in `webSent`, body included, in order.
 */
export function recordedClients(
  ip: string,
  replies: Record<string, string>,
  webReplies?: Record<string, WebReply>,
): { clients: MinerClients; sent: string[]; webSent: WebCallSeen[] } {
  const sent: string[] = [];
  const webSent: WebCallSeen[] = [];
  const clients: MinerClients = {
    ip,
    async cgminer(command, parameter) {
      const key = parameter === undefined ? command : `${command}|${parameter}`;
      sent.push(key);
      const path = replies[key];
      if (path === undefined)
        throw new MinerError('MINER_COMMAND_FAILED', `Code 14: Invalid command (${key})`);
      return decodeReply(corpusReply(path)) satisfies CgminerReply;
    },
  };
  if (webReplies) {
    clients.web = async (path, call = {}) => {
      const method = call.method ?? (call.body ? 'POST' : 'GET');
      webSent.push({ path, method, ...(call.body ? { body: call.body } : {}) });
      const reply = webReplies[path] ?? { status: 404, body: '<title>404 - Not Found</title>' };
      if (reply instanceof MinerError) throw reply;
      // What the transport resolves when the miner goes down after our credentials reached the CGI.
      if (reply === 'dropped') {
        if (call.dropMeansDone) return { status: 0, text: '', dropped: true };
        throw new MinerError('MINER_EMPTY_REPLY', 'socket closed before the response');
      }
      const { status, body } = typeof reply === 'string' ? { status: 200, body: corpusFile(reply) } : reply;
      if (call.dropMeansDone && status === 500) return { status, text: String(body), dropped: true };
      return judgeResponse(status, Buffer.from(body), call.expect ?? 'json');
    };
  }
  return { clients, sent, webSent };
}

/** One conformance case of a driver: recorded replies in, the exact Reading out. */
export interface ConformanceCase {
  name: string;
  /** Command (or `command|parameter`) to corpus path, for every command the driver sends. */
  replies: Record<string, string>;
  /** What the driver must read from them, to the last digit. `ip` is always 10.0.0.1. */
  expected: Reading;
}
