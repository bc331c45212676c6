import { createServer, type Server, type Socket } from 'node:net';
import {
  AGENT_PUBLISHES,
  type AgentTopicKind,
  agentTopic,
  CLOUD_STATE_TOPIC,
  cloudStateCodec,
  isValidAgentId,
  parseAgentTopic,
} from '@hashinsight/protocol';
import { Aedes, type AedesPublishPacket, type Client } from 'aedes';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { Logger } from 'pino';
import { isLoopbackHost } from '../lib/loopback.js';

export type MessageHandler = (topic: string, payload: Uint8Array) => void | Promise<void>;

/**
 * What features need from MQTT. Implemented in-process over the embedded aedes broker; a later issue can put an
 * external broker client behind the same interface.
 */
export interface Broker {
  publish(topic: string, payload: Uint8Array, options: { qos: 0 | 1; retain: boolean }): Promise<void>;
  /** Calls `handler` for every message matching `filter`; resolves to a function that unsubscribes. */
  subscribe(filter: string, handler: MessageHandler): Promise<() => Promise<void>>;
  /** False once the broker is closing. */
  isRunning(): boolean;
}

/** The broker the cloud runs itself. Features see it only as a Broker. */
export interface EmbeddedBroker extends Broker {
  /** Starts accepting MQTT clients on host:port (0 picks a free port), announces the cloud online; returns the port. */
  listen(host: string, port: number): Promise<number>;
  /** Announces the cloud offline, then closes the broker, its listener and every client socket. */
  close(): Promise<void>;
}

/** Topics the cloud publishes to an agent; the agent may subscribe to its own, exactly. */
const AGENT_SUBSCRIBES: readonly AgentTopicKind[] = ['ack', 'command', 'credential'];

// Agents may touch only their own subtree. The MQTT client id is the agent id; real per-agent credentials
// (checked in authenticate) come in a later issue, until then anyone who can reach the port can claim an id.
function mayPublish(clientId: string, topic: string): boolean {
  try {
    const { agentId, kind } = parseAgentTopic(topic);
    return agentId === clientId && AGENT_PUBLISHES.includes(kind);
  } catch {
    return false; // not an agent topic at all: $SYS, the cloud's topics, garbage
  }
}

function maySubscribe(clientId: string, filter: string): boolean {
  if (filter === CLOUD_STATE_TOPIC) return true;
  // Exact topics only, so '+' and '#' never match here.
  return AGENT_SUBSCRIBES.some((kind) => filter === agentTopic(clientId, kind));
}

function toBuffer(payload: Uint8Array): Buffer {
  return Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
}

export async function createEmbeddedBroker(logger: Logger): Promise<EmbeddedBroker> {
  const aedes = await Aedes.createBroker({
    // preConnect sees the client id as sent: aedes would replace an empty one with a generated id later.
    preConnect(_client, packet, callback) {
      if (isValidAgentId(packet.clientId)) return callback(null, true);
      logger.warn({ clientId: packet.clientId.slice(0, 80) }, 'mqtt client refused: invalid client id');
      // An error (not just `false`) makes aedes drop the socket instead of leaving it open without a CONNACK.
      callback(new Error('client id is not a valid agent id'), false);
    },
    authorizePublish(client: Client | null, packet, callback) {
      if (client !== null && mayPublish(client.id, packet.topic)) return callback(null);
      logger.warn({ agentId: client?.id, topic: packet.topic.slice(0, 200) }, 'mqtt publish refused');
      callback(new Error('publish not authorized'));
    },
    authorizeSubscribe(client, subscription, callback) {
      if (maySubscribe(client.id, subscription.topic)) return callback(null, subscription);
      logger.warn({ agentId: client.id, topic: subscription.topic.slice(0, 200) }, 'mqtt subscribe refused');
      callback(null, null); // SUBACK 0x80 for this filter; the connection stays up
    },
  });
  aedes.on('client', (client) => logger.info({ agentId: client.id }, 'agent connected'));
  aedes.on('clientDisconnect', (client) => logger.info({ agentId: client.id }, 'agent disconnected'));
  aedes.on('clientError', (client, error) => {
    logger.debug({ agentId: client.id, err: error.message }, 'mqtt client error');
  });
  aedes.on('connectionError', (client, error) => {
    logger.debug({ agentId: client.id, err: error.message }, 'mqtt connection error');
  });

  let server: Server | undefined;
  const sockets = new Set<Socket>();

  const publish: Broker['publish'] = async (topic, payload, { qos, retain }) => {
    await new Promise<void>((resolve, reject) => {
      aedes.publish(
        { cmd: 'publish', topic, payload: toBuffer(payload), qos, retain, dup: false },
        (error) => (error ? reject(error) : resolve()),
      );
    });
  };

  const publishCloudState = (online: boolean) =>
    publish(CLOUD_STATE_TOPIC, cloudStateCodec.encode({ online, atMs: Date.now() }), {
      qos: 1,
      retain: true,
    });

  return {
    publish,

    async subscribe(filter, handler) {
      const deliver = (packet: AedesPublishPacket, done: () => void) => {
        // Release aedes at once: handlers queue their own work, and order is kept because they are called in order.
        done();
        const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
        Promise.resolve()
          .then(() => handler(packet.topic, payload))
          .catch((error: unknown) =>
            logger.error({ err: error, topic: packet.topic }, 'mqtt handler failed'),
          );
      };
      await new Promise<void>((resolve) => aedes.subscribe(filter, deliver, resolve));
      return () => new Promise<void>((resolve) => aedes.unsubscribe(filter, deliver, resolve));
    },

    isRunning: () => !aedes.closed,

    async listen(host, port) {
      // noDelay: without it aedes QoS 1 stalls on Nagle's algorithm + the peer's delayed ACK. Measured on a
      // 2-core box with 500 messages in flight: ~10.7 k msg/s without noDelay, ~59.5 k msg/s with it.
      const listener = createServer({ noDelay: true }, aedes.handle);
      listener.on('connection', (socket) => {
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
      });
      await new Promise<void>((resolve, reject) => {
        listener.once('error', reject);
        listener.listen(port, host, () => {
          listener.off('error', reject);
          // After startup a listener error (e.g. out of file descriptors) is logged, not thrown at the process.
          listener.on('error', (error) => logger.error({ err: error }, 'mqtt listener error'));
          resolve();
        });
      });
      server = listener;
      const address = listener.address();
      const boundPort = typeof address === 'object' && address !== null ? address.port : port;
      // Agents have no broker credentials yet (issue #5): off loopback, anyone who can reach the port can
      // connect with any agent id. Say so at every start rather than only in the docs. Host names other than
      // localhost are not resolved: better a needless warning than a missing one.
      if (!isLoopbackHost(host)) {
        logger.warn(
          { mqttHost: host, mqttPort: boundPort },
          'MQTT broker on a non-loopback address without client authentication: any client that can ' +
            'reach it can act as any agent until agent credentials land',
        );
      }
      await publishCloudState(true);
      return boundPort;
    },

    async close() {
      if (aedes.closed) return;
      await publishCloudState(false).catch((error: unknown) => {
        logger.warn({ err: error }, 'could not announce the cloud offline');
      });
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      if (server !== undefined) {
        const closing = new Promise<void>((resolve) => server?.close(() => resolve()));
        for (const socket of sockets) socket.destroy();
        await closing;
      }
    },
  };
}

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
