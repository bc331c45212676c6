import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { Broker } from './broker/index.js';

// The broker itself lives in broker/: embedded aedes (embedded.ts) or a client of an external broker
// (external.ts), both behind the Broker interface features use.
export {
  type Broker,
  connectExternalBroker,
  createEmbeddedBroker,
  type EmbeddedBroker,
  type ExternalBroker,
  type MessageHandler,
  type VerifyAgent,
} from './broker/index.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** MQTT for features. Its lifetime belongs to whoever built the app (server.ts or a test). */
    broker: Broker;
  }
}

const brokerPlugin: FastifyPluginAsync<{ broker: Broker }> = async (fastify, { broker }) => {
  fastify.decorate('broker', broker);
};

export default fp(brokerPlugin, { name: 'broker' });
