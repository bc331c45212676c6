// A TCP tap between an agent and the broker for the command system tests: it records every byte both ways (the
// canary search reads them), decodes each MQTT 3.1.1 PUBLISH (a test takes a real signed command from it to replay
// or tamper with), can cut the link, and can inject a PUBLISH towards the agent as if the broker had sent it.
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';

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

/** Encodes MQTT's variable-length "remaining length". */
function remainingLength(length: number): Buffer {
  const bytes: number[] = [];
  let rest = length;
  do {
    let byte = rest % 128;
    rest = Math.floor(rest / 128);
    if (rest > 0) byte |= 128;
    bytes.push(byte);
  } while (rest > 0);
  return Buffer.from(bytes);
}

export function publishPacket(topic: string, payload: Uint8Array): Buffer {
  const name = Buffer.from(topic);
  const header = Buffer.alloc(2);
  header.writeUInt16BE(name.length);
  const body = Buffer.concat([header, name, payload]);
  return Buffer.concat([Buffer.from([0x30]), remainingLength(body.length), body]);
}

/** Calls `onPacket` with each whole MQTT packet read from `socket`. */
function framePackets(socket: Socket, onChunk: (chunk: Buffer) => void, onPacket: (packet: Buffer) => void) {
  let buffer: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    onChunk(chunk);
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
    for (;;) {
      let length = 0;
      let multiplier = 1;
      let i = 1;
      let complete = false;
      for (; i < Math.min(buffer.length, 5); i++) {
        const byte = buffer[i] as number;
        length += (byte & 127) * multiplier;
        multiplier *= 128;
        if ((byte & 128) === 0) {
          complete = true;
          break;
        }
      }
      if (!complete) return;
      const total = i + 1 + length;
      if (buffer.length < total) return;
      onPacket(buffer.subarray(0, total));
      buffer = buffer.subarray(total);
      if (buffer.length === 0) return;
    }
  });
}

/** Topic and payload of a PUBLISH packet (MQTT 3.1.1), else undefined. */
function decodePublish(packet: Buffer): { topic: string; payload: Buffer } | undefined {
  const first = packet[0] ?? 0;
  if (first >> 4 !== 3) return undefined;
  const qos = (first >> 1) & 3;
  let i = 1;
  while (((packet[i] as number) & 128) !== 0) i++;
  const at = i + 1;
  const topicLength = packet.readUInt16BE(at);
  const topic = packet.subarray(at + 2, at + 2 + topicLength).toString();
  const payloadAt = at + 2 + topicLength + (qos > 0 ? 2 : 0);
  return { topic, payload: Buffer.from(packet.subarray(payloadAt)) };
}

export async function startMqttTap(targetPort: number): Promise<MqttTap> {
  const pairs = new Set<{ client: Socket; broker: Socket }>();
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
    const broker = tcpConnect({ port: targetPort, host: '127.0.0.1', noDelay: true });
    const pair = { client, broker };
    pairs.add(pair);
    const close = () => {
      client.destroy();
      broker.destroy();
      pairs.delete(pair);
    };
    client.on('error', close).on('close', close);
    broker.on('error', close).on('close', close);
    const record = (direction: 'down' | 'up', packet: Buffer) => {
      const decoded = decodePublish(packet);
      if (decoded) publishes.push({ direction, ...decoded, atMs: Date.now() });
    };
    framePackets(
      client,
      (chunk) => raw.up.push(Buffer.from(chunk)),
      (packet) => {
        record('up', packet);
        broker.write(packet);
      },
    );
    framePackets(
      broker,
      (chunk) => raw.down.push(Buffer.from(chunk)),
      (packet) => {
        const topic = decodePublish(packet)?.topic;
        if (holding && topic !== undefined && holding.test(topic)) {
          held.push({ client, packet: Buffer.from(packet) });
          return;
        }
        record('down', packet);
        client.write(packet);
      },
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
