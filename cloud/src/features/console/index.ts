import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { principalOf } from '../../plugins/access.js';
import { findCommand } from '../commands/index.js';
import { assetNotFound, consoleNotBuilt } from './errors.js';
import { LiveHub } from './live-hub.js';
import { relayPresence } from './presence.js';
import { assetParams, assetResponse, htmlResponse, liveStreamResponse } from './schemas.js';
import { ASSET_CACHE, acceptsHtml, HTML_CACHE, HTML_HEADERS, isReservedPath, sendFile } from './serve.js';
import { LiveStreams } from './stream.js';
import { loadWebApp, warmAssets } from './web-files.js';

export { agentsChannel, type LiveEventName } from './live-hub.js';
export { CONTENT_SECURITY_POLICY } from './serve.js';

/** cloud/dist/web, from this file in cloud/src (tsx) or cloud/dist (built) alike. */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../../dist/web', import.meta.url));

export interface ConsoleOptions {
  /** The built console (index.html, assets/); default cloud/dist/web. */
  webDir?: string;
  now?: () => number;
  /** Comment line interval of GET /api/stream (tests shorten it); default 15 s. */
  streamHeartbeatMs?: number;
  /** Least time between two fleet events, or two events of one command (tests shorten it); default 1 s. */
  streamThrottleMs?: number;
  /** Streams one user may hold open on one instance; default 10. */
  maxStreamsPerUser?: number;
}

/**
 * The web console, served by the cloud itself: `/` and every browser navigation outside the API answer the HTML
 * shell, `/assets/*` the bundle; and GET /api/stream, the live events its pages follow.
 */
const consoleFeature: FastifyPluginAsync<ConsoleOptions> = async (fastify, options) => {
  const now = options.now ?? Date.now;
  const webDir = options.webDir ?? DEFAULT_WEB_DIR;
  const web = await loadWebApp(webDir);
  if (web === undefined)
    fastify.log.warn({ webDir }, 'web console not built: / answers 503 until npm run build');

  const sendIndex = async (request: FastifyRequest, reply: FastifyReply) => {
    if (web === undefined) throw consoleNotBuilt();
    // The page's scripts and styles are wanted right after: compress them now.
    warmAssets(web);
    return sendFile(request, reply, web.index, { ...HTML_HEADERS, 'cache-control': HTML_CACHE });
  };
  const hidden = { hide: true, response: { 200: htmlResponse } };
  // Browsers ask for it on every page; the console has none, and a 404 would be an error in every console log.
  fastify.get(
    '/favicon.ico',
    { config: { access: 'public' }, schema: { hide: true, response: { 204: { type: 'null' } } } },
    async (_request, reply) => reply.code(204).header('cache-control', ASSET_CACHE).send(),
  );
  fastify.get('/', { config: { access: 'public' }, schema: hidden }, sendIndex);
  // Every other path a browser navigates to is a page of the console (its router reads the path); anything else
  // unknown, and everything under the API, stays the JSON 404.
  fastify.get('/*', { config: { access: 'public' }, schema: hidden }, async (request, reply) => {
    const path = request.url.split('?', 1)[0] ?? '';
    if (isReservedPath(path) || !acceptsHtml(request)) {
      reply.callNotFound();
      return reply;
    }
    return sendIndex(request, reply);
  });
  fastify.get<{ Params: { file: string } }>(
    '/assets/:file',
    {
      config: { access: 'public' },
      schema: { hide: true, params: assetParams, response: { 200: assetResponse } },
    },
    async (request, reply) => {
      const file = web?.assets.get(request.params.file);
      if (file === undefined) throw assetNotFound();
      return sendFile(request, reply, file, {
        'cache-control': ASSET_CACHE,
        'x-content-type-options': 'nosniff',
      });
    },
  );

  const hub = new LiveHub({
    notifier: fastify.platform.notifier,
    throttleMs: options.streamThrottleMs ?? 1000,
    commandStatus: async (tenantId, commandId) =>
      (await findCommand(fastify.db, tenantId, commandId))?.status,
    log: fastify.log.child({ feature: 'console' }),
    now,
  });
  const streams = new LiveStreams(hub, {
    heartbeatMs: options.streamHeartbeatMs ?? 15_000,
    maxPerUser: options.maxStreamsPerUser ?? 10,
    now,
  });
  const stopPresence = await relayPresence(fastify.platform.events, fastify.platform.notifier);
  fastify.get(
    '/api/stream',
    { config: { access: 'fleet' }, schema: { response: { 200: liveStreamResponse } } },
    async (request, reply) => {
      await streams.serve(request, reply, principalOf(request));
      return reply;
    },
  );
  // Before the server waits for connections to finish: open streams never would.
  fastify.addHook('preClose', async () => streams.closeAll());
  fastify.addHook('onClose', async () => {
    await stopPresence();
    await hub.close();
  });
};

export default fp(consoleFeature, { name: 'console', dependencies: ['access', 'rate-limit'] });
