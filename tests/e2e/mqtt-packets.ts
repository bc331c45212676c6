// MQTT 3.1.1 packet framing for the test proxies between agents and brokers (the fault harness, the command
// tap): split a byte stream into whole packets, decode and encode a PUBLISH.
import { type Socket, connect as tcpConnect } from 'node:net';

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

/**
 * Calls `onPacket` with each whole MQTT packet read from `socket` (fixed header + remaining length framing), and
 * `onChunk` with every chunk as read.
 */
export function splitPackets(
  socket: Socket,
  onPacket: (packet: Buffer) => void,
  onChunk: (chunk: Buffer) => void = () => undefined,
): void {
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
export function decodePublish(packet: Buffer): { topic: string; payload: Buffer } | undefined {
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

/** A client connection of a test proxy and its own connection to the broker behind it. */
export interface ProxyPair {
  client: Socket;
  broker: Socket;
}

/**
 * Opens the broker side for a client that reached a proxy, keeps the pair in `pairs` while both are up, and closes
 * both when either ends.
 */
export function pairWithBroker(client: Socket, brokerPort: number, pairs: Set<ProxyPair>): ProxyPair {
  const broker = tcpConnect({ port: brokerPort, host: '127.0.0.1', noDelay: true });
  const pair = { client, broker };
  pairs.add(pair);
  const close = () => {
    client.destroy();
    broker.destroy();
    pairs.delete(pair);
  };
  client.on('error', close).on('close', close);
  broker.on('error', close).on('close', close);
  return pair;
}
