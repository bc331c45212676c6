import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { Platform } from './platform.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Cache, notifications and events. Its lifetime belongs to whoever built the app (server.ts or a test). */
    platform: Platform;
  }
}

const platformPlugin: FastifyPluginAsync<{ platform: Platform }> = async (fastify, { platform }) => {
  fastify.decorate('platform', platform);
};

export default fp(platformPlugin, { name: 'platform' });
