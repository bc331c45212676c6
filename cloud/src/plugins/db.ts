import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { Db } from '../db/index.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The cloud database. Its lifetime belongs to whoever built the app (server.ts or a test). */
    db: Db;
  }
}

const dbPlugin: FastifyPluginAsync<{ db: Db }> = async (fastify, { db }) => {
  fastify.decorate('db', db);
};

export default fp(dbPlugin, { name: 'db' });
