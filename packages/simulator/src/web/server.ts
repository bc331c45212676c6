import type { RequestListener } from 'node:http';
import { ControlRefused, type Credentials } from '../machine.js';
import type { AntminerCgi, CgiResponse } from './antminer-cgi.js';
import { readBody } from './body.js';
import type { DigestGuard } from './digest.js';

/** lighttpd's page for a refused login (corpus `antminer-cgi/unauthorized.401.html`, in our own words). */
const UNAUTHORIZED = `<?xml version="1.0" encoding="iso-8859-1"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
 <head><title>401 - Unauthorized</title></head>
 <body><h1>401 - Unauthorized</h1></body>
</html>
`;

/**
 * The miner's web server: reads the body (bounded), checks HTTP Digest, then runs the CGI. `login()` is asked on
 * every request, so the credentials and the `wrong-password` fault (undefined: nobody gets in) apply at once; so
 * is `resetting()` (the `reset` fault), which answers every request with a TCP RST before any byte.
 */
export function webListener(
  cgi: AntminerCgi,
  guard: DigestGuard,
  login: () => Credentials | undefined,
  resetting: () => boolean = () => false,
): RequestListener {
  return (request, response) => {
    if (resetting()) {
      request.socket.resetAndDestroy();
      return;
    }
    readBody(request, response, (body) => {
      const url = request.url ?? '/';
      const method = request.method ?? 'GET';
      const verdict = guard.verify(method, url, request.headers.authorization, login());
      if (verdict !== 'ok') {
        response.writeHead(401, {
          'www-authenticate': guard.challenge(verdict === 'stale'),
          'content-type': 'text/html',
          'content-length': Buffer.byteLength(UNAUTHORIZED),
        });
        response.end(UNAUTHORIZED);
        return;
      }
      const path = new URL(url, 'http://miner').pathname;
      const answer = handled(() =>
        cgi.handle({ method, path, contentType: request.headers['content-type'] ?? '', body }),
      );
      response.writeHead(answer.status, {
        'content-type': answer.contentType,
        'content-length': Buffer.byteLength(answer.body),
      });
      response.end(answer.body);
    });
  };
}

/** A write refused by the `control-fails` fault answers 503 (not 500: reboot.cgi's 500 means it went through). */
function handled(run: () => CgiResponse): CgiResponse {
  try {
    return run();
  } catch (error) {
    if (!(error instanceof ControlRefused)) throw error;
    return { status: 503, contentType: 'text/plain', body: 'command failed' };
  }
}
