import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Encoding, encodedBodies, pickEncoding, type WebFile } from './web-files.js';

/**
 * The page may load code, styles and data from this origin only, and nothing may frame it. Styles: the bundle's
 * stylesheet; Preact and the SVG charts set style properties through the CSSOM (element.style), which CSP does not
 * restrict, so no 'unsafe-inline' is needed.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

export const HTML_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** The HTML shell may change with every deployment: browsers revalidate it (ETag) at every load. */
export const HTML_CACHE = 'no-cache';
/** Asset names carry their content hash: a name never changes content, so it may be kept for good. */
export const ASSET_CACHE = 'public, max-age=31536000, immutable';

/** Paths the console never answers, whatever the Accept header: the API, its documentation, probes, assets. */
export function isReservedPath(path: string): boolean {
  return (
    path === '/api' ||
    path.startsWith('/api/') ||
    path.startsWith('/docs') ||
    path.startsWith('/assets/') ||
    path === '/healthz' ||
    path === '/readyz' ||
    path === '/metrics'
  );
}

/** A browser navigating (Accept names text/html), as opposed to a script or a probe expecting JSON. */
export function acceptsHtml(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').toLowerCase().includes('text/html');
}

function notModified(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  return ifNoneMatch
    .slice(0, 4096)
    .split(',')
    .some((tag) => {
      const trimmed = tag.trim();
      return trimmed === '*' || trimmed.replace(/^W\//, '') === etag;
    });
}

/** Sends `file` compressed as the client accepts, with its ETag (304 when the client has it). */
export async function sendFile(
  request: FastifyRequest,
  reply: FastifyReply,
  file: WebFile,
  headers: Record<string, string>,
): Promise<FastifyReply> {
  const encoded = await encodedBodies(file).catch((): Partial<Record<Encoding, Buffer>> => ({}));
  const encoding = pickEncoding(request.headers['accept-encoding'], encoded);
  const body = encoding === undefined ? file.body : (encoded[encoding] ?? file.body);
  const etag = encoding === undefined ? `"${file.hash}"` : `"${file.hash}-${encoding}"`;
  reply.headers({
    ...headers,
    'content-type': file.type,
    vary: 'accept-encoding',
    etag,
    ...(encoding === undefined ? {} : { 'content-encoding': encoding }),
  });
  if (notModified(request.headers['if-none-match'], etag)) return reply.code(304).send();
  return reply.send(body);
}
