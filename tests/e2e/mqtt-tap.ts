// A TCP tap between an agent and the broker for the command system tests: it records every byte both ways (the
// canary search reads them), decodes each MQTT 3.1.1 PUBLISH (a test takes a real signed command from it to replay
// or tamper with), can cut the link, and can inject a PUBLISH towards the agent as if the broker had sent it.
import { createServer, type Server, type Socket } from 'node:net';
import {
  decodePublish,
  type ProxyPair,
  pairWithBroker,
  publishPacket,
  splitPackets,
} from './mqtt-packets.js';

export interface TappedPublish {
  /** 'down': broker -> agent; 'up': agent -> broker. */
  direction: 'down' | 'up';
  topic: string;
  payload: Buffer;
  atMs: number;
}

export interface MqttTap {
  url: string;
  /** Every byte seen, in order, per direction (chunks as read). */
  raw: { down: Buffer[]; up: Buffer[] };
  publishes: TappedPublish[];
  /** Drops the live connections and refuses new ones until restore(). */
  cut(): void;
  restore(): void;
  /**
   * Holds back the broker's PUBLISH packets to the agent whose topic matches (a message delayed in the network)
   * until release(), which delivers them in order on the connection they came for.
   */
  hold(topic: RegExp): void;
  release(): number;
  /** Sends a QoS 0 PUBLISH to every connected agent, as the broker would deliver it. */
  inject(topic: string, payload: Uint8Array): number;
  close(): Promise<void>;
}

export async function startMqttTap(targetPort: number): Promise<MqttTap> {
  const pairs = new Set<ProxyPair>();
  let cut = false;
  const raw = { down: [] as Buffer[], up: [] as Buffer[] };
  const publishes: TappedPublish[] = [];
  let holding: RegExp | undefined;
  const held: Array<{ client: Socket; packet: Buffer }> = [];
  const server: Server = createServer({ noDelay: true }, (client) => {
    if (cut) {
      client.destroy();
      return;
    }
    const { broker } = pairWithBroker(client, targetPort, pairs);
    const record = (direction: 'down' | 'up', packet: Buffer) => {
      const decoded = decodePublish(packet);
      if (decoded) publishes.push({ direction, ...decoded, atMs: Date.now() });
    };
    splitPackets(
      client,
      (packet) => {
        record('up', packet);
        broker.write(packet);
      },
      (chunk) => raw.up.push(Buffer.from(chunk)),
    );
    splitPackets(
      broker,
      (packet) => {
        const topic = decodePublish(packet)?.topic;
        if (holding && topic !== undefined && holding.test(topic)) {
          held.push({ client, packet: Buffer.from(packet) });
          return;
        }
        record('down', packet);
        client.write(packet);
      },
      (chunk) => raw.down.push(Buffer.from(chunk)),
    );
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('tap has no address');
  const dropAll = () => {
    for (const pair of pairs) {
      pair.client.destroy();
      pair.broker.destroy();
    }
  };
  return {
    url: `mqtt://127.0.0.1:${address.port}`,
    raw,
    publishes,
    cut() {
      cut = true;
      dropAll();
    },
    restore() {
      cut = false;
    },
    hold(topic) {
      holding = topic;
    },
    release() {
      holding = undefined;
      const count = held.length;
      for (const { client, packet } of held.splice(0)) {
        const decoded = decodePublish(packet);
        if (decoded) publishes.push({ direction: 'down', ...decoded, atMs: Date.now() });
        client.write(packet);
      }
      return count;
    },
    inject(topic, payload) {
      const packet = publishPacket(topic, payload);
      raw.down.push(packet);
      for (const pair of pairs) pair.client.write(packet);
      return pairs.size;
    },
    async close() {
      dropAll();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
