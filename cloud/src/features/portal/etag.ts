import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ok } from '../../http/envelope.js';

/**
 * Answers `data` in the envelope with a weak ETag of the data (the envelope's timestamp changes every call and is
 * left out), or 304 without a body when the client's If-None-Match already names it. Portal clients poll; a 304
 * saves them the transfer and the parse.
 */
export function withEtag<T>(request: FastifyRequest, reply: FastifyReply, data: T) {
  const etag = `W/"${createHash('sha256').update(JSON.stringify(data)).digest('base64url').slice(0, 27)}"`;
  reply.header('etag', etag);
  reply.header('cache-control', 'private, no-cache');
  const match = request.headers['if-none-match'];
  if (typeof match === 'string' && match.split(',').some((tag) => tag.trim() === etag)) {
    return reply.code(304).send();
  }
  return ok(data);
}
