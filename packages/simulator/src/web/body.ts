import type { IncomingMessage, ServerResponse } from 'node:http';

/** Largest request body a simulated web API reads; the real firmwares take small forms and JSON documents. */
const MAX_BODY = 64 * 1024;

/** Reads a request body as text, or answers 413 and drops the connection when it grows past MAX_BODY. */
export function readBody(
  request: IncomingMessage,
  response: ServerResponse,
  then: (body: string) => void,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  request.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_BODY) {
      response.writeHead(413, { 'content-type': 'text/plain', connection: 'close' });
      response.end('request body too large');
      request.destroy();
      return;
    }
    chunks.push(chunk);
  });
  request.on('end', () => {
    if (size <= MAX_BODY) then(Buffer.concat(chunks).toString('utf8'));
  });
  request.on('error', () => {}); // clients hang up mid-request on purpose (deadlines)
}
