import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';

/**
 * Reads MQTT fixed headers as bytes arrive and reports the first packet whose remaining length exceeds
 * `limit` (or whose length field is malformed), before its body is buffered anywhere.
 */
export class PacketSizeScanner {
  // 'type': expecting the first byte of a packet; 'length': inside the length varint; 'body': skipping a body.
  private state: 'type' | 'length' | 'body' = 'type';
  private length = 0;
  private multiplier = 1;
  private lengthBytes = 0;
  private remaining = 0;

  constructor(private readonly limit: number) {}

  /** False once a packet is too large or malformed; the connection must then be dropped. */
  push(chunk: Buffer): boolean {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.state === 'type') {
        offset += 1;
        this.state = 'length';
        this.length = 0;
        this.multiplier = 1;
        this.lengthBytes = 0;
      } else if (this.state === 'length') {
        const byte = chunk[offset] ?? 0;
        offset += 1;
        this.length += (byte & 0x7f) * this.multiplier;
        this.multiplier *= 128;
        this.lengthBytes += 1;
        if (this.length > this.limit) return false;
        if (byte & 0x80) {
          if (this.lengthBytes === 4) return false; // a fifth length byte is a protocol violation
          continue;
        }
        this.remaining = this.length;
        this.state = this.remaining === 0 ? 'type' : 'body';
      } else {
        const skipped = Math.min(this.remaining, chunk.length - offset);
        offset += skipped;
        this.remaining -= skipped;
        if (this.remaining === 0) this.state = 'type';
      }
    }
    return true;
  }
}

/**
 * The socket as aedes sees it, with every incoming byte passed through a PacketSizeScanner: a client that
 * announces an oversized packet is disconnected at its header. Writes go straight to the socket.
 */
export function guardPacketSize(socket: Socket, limit: number, onOversize: () => void): Duplex {
  const scanner = new PacketSizeScanner(limit);
  const guarded = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk: Buffer, encoding, callback) {
      socket.write(chunk, encoding, callback);
    },
    final(callback) {
      socket.end(callback);
    },
    destroy(error, callback) {
      socket.destroy();
      callback(error);
    },
  });
  socket.on('data', (chunk: Buffer) => {
    if (!scanner.push(chunk)) {
      onOversize();
      socket.destroy();
      return;
    }
    if (!guarded.push(chunk)) socket.pause();
  });
  socket.on('end', () => guarded.push(null));
  socket.on('close', () => guarded.destroy());
  socket.on('error', (error) => guarded.destroy(error));
  return guarded;
}
