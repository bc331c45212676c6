import { createServer, type Server, type Socket } from 'node:net';
import { CLOUD_STATE_TOPIC, cloudStateCodec, isValidAgentId } from '@hashinsight/protocol';
import { Aedes, type AedesPublishPacket, type AuthenticateError, type Client } from 'aedes';
import type { Logger } from 'pino';
import { MAX_PACKET_BYTES, mayPublish, maySubscribe } from './acl.js';
import { guardPacketSize } from './packet-guard.js';
import type { Broker, VerifyAgent } from './types.js';

/** The broker the cloud runs itself. Features see it only as a Broker. */
export interface EmbeddedBroker extends Broker {
  /** Starts accepting MQTT clients on host:port (0 picks a free port), announces the cloud online; returns the port. */
  listen(host: string, port: number): Promise<number>;
  /** Announces the cloud offline, then closes the broker, its listener and every client socket. */
  close(): Promise<void>;
}

export interface EmbeddedBrokerOptions {
  /** Checks an agent's password; unknown and revoked agents must give false. */
  verifyAgent: VerifyAgent;
  /** Largest packet a client may send (MAX_PACKET_BYTES unless a test wants less). */
  maxPacketBytes?: number;
}

function toBuffer(payload: Uint8Array): Buffer {
  return Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
}

/** CONNACK 4 (MQTT 3.1.1 "bad user name or password"): the same answer for every refused login. */
function badCredentials(): AuthenticateError {
  const error = new Error('bad user name or password') as AuthenticateError;
  error.returnCode = 4;
  return error;
}

export async function createEmbeddedBroker(
  logger: Logger,
  { verifyAgent, maxPacketBytes = MAX_PACKET_BYTES }: EmbeddedBrokerOptions,
): Promise<EmbeddedBroker> {
  const aedes = await Aedes.createBroker({
    // preConnect sees the client id as sent: aedes would replace an empty one with a generated id later.
    preConnect(_client, packet, callback) {
      if (isValidAgentId(packet.clientId)) return callback(null, true);
      logger.warn({ clientId: packet.clientId.slice(0, 80) }, 'mqtt client refused: invalid client id');
      // An error (not just `false`) makes aedes drop the socket instead of leaving it open without a CONNACK.
      callback(new Error('client id is not a valid agent id'), false);
    },
    // The user name is the agent id and must equal the client id, so one agent's password never opens a
    // session under another agent's id; the password is checked against the stored hash of a live agent.
    authenticate(client, username, password, callback) {
      const agentId = client.id;
      if (username !== agentId || password === undefined) {
        logger.warn({ agentId, username: username?.slice(0, 80) }, 'mqtt client refused: bad credentials');
        return callback(badCredentials(), false);
      }
      verifyAgent(agentId, password.toString('utf8')).then(
        (valid) => {
          if (valid) return callback(null, true);
          logger.warn({ agentId }, 'mqtt client refused: bad credentials');
          callback(badCredentials(), false);
        },
        (error: unknown) => {
          logger.error({ err: error, agentId }, 'mqtt credential check failed');
          const unavailable = new Error('server unavailable') as AuthenticateError;
          unavailable.returnCode = 3;
          callback(unavailable, false);
        },
      );
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

    // Nothing to do: the password hash is in the database, which authenticate reads on every CONNECT.
    async provisionAgent() {},

    async revokeAgent(agentId) {
      // The database already refuses its password; this cuts the session that is open now.
      // aedes keeps connected clients by id but does not declare the map in its types.
      const client = (aedes as unknown as { clients: Record<string, Client | undefined> }).clients[agentId];
      if (client === undefined) return;
      await new Promise<void>((resolve) => client.close(() => resolve()));
      logger.warn({ agentId }, 'revoked agent disconnected');
    },

    isRunning: () => !aedes.closed,

    async listen(host, port) {
      // noDelay: without it aedes QoS 1 stalls on Nagle's algorithm + the peer's delayed ACK. Measured on a
      // 2-core box with 500 messages in flight: ~10.7 k msg/s without noDelay, ~59.5 k msg/s with it.
      const listener = createServer({ noDelay: true }, (socket) => {
        const remote = socket.remoteAddress;
        aedes.handle(
          guardPacketSize(socket, maxPacketBytes, () =>
            logger.warn({ remote, maxPacketBytes }, 'mqtt client cut off: packet too large'),
          ),
        );
      });
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
