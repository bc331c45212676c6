// A real MQTT broker (aedes on a loopback port) with a fast acker inside it, for the drain and wire benchmarks:
// the agent speaks MQTT over TCP exactly as in production; the acker plays a cloud with an infinitely fast
// database — it reads each TelemetryBatch's envelope (not the samples), acks its last seq at once, and counts.
// Bytes are counted on the broker's sockets, so they include every MQTT header, PUBACK and the session setup.
import { createServer, type Socket } from 'node:net';
import { agentTopic, hashinsight, telemetryAckCodec } from '@hashinsight/protocol';
import { Aedes } from 'aedes';

export interface AckerBroker {
  url: string;
  /** Samples and batches acked so far, and the bytes the broker's sockets read (agent → broker) and wrote. */
  counts: { samples: number; batches: number; payloadBytes: number };
  /** Bytes the broker's sockets read (agent → broker) and wrote so far, open connections included. */
  socketBytes(): { bytesIn: number; bytesOut: number };
  close(): Promise<void>;
}

export async function startAckerBroker(agentId: string): Promise<AckerBroker> {
  const aedes = await Aedes.createBroker();
  const sockets = new Set<Socket>();
  const counts = { samples: 0, batches: 0, payloadBytes: 0 };
  const closed = { bytesIn: 0, bytesOut: 0 };
  const server = createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => {
      closed.bytesIn += socket.bytesRead;
      closed.bytesOut += socket.bytesWritten;
      sockets.delete(socket);
    });
    aedes.handle(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  aedes.subscribe(
    agentTopic(agentId, 'telemetry'),
    (packet, done) => {
      const payload = packet.payload as Buffer;
      const batch = hashinsight.v1.TelemetryBatch.decode(payload);
      const last = batch.blocks.at(-1);
      const samples = batch.blocks.reduce((n, b) => n + (b.sampleCount ?? 0), 0) + batch.samples.length;
      const upToSeq = last
        ? Number(last.firstSeq) + (last.sampleCount ?? 0) - 1
        : Number(batch.samples.at(-1)?.seq ?? 0);
      counts.samples += samples;
      counts.batches += 1;
      counts.payloadBytes += payload.length;
      const ack = Buffer.from(telemetryAckCodec.encode({ epoch: batch.epoch, upToSeq }));
      aedes.publish(
        {
          cmd: 'publish',
          topic: agentTopic(agentId, 'ack'),
          payload: ack,
          qos: 1,
          retain: false,
          dup: false,
        },
        () => {},
      );
      done();
    },
    () => {},
  );
  return {
    url: `mqtt://127.0.0.1:${address.port}`,
    counts,
    socketBytes() {
      let { bytesIn, bytesOut } = closed;
      for (const s of sockets) {
        bytesIn += s.bytesRead;
        bytesOut += s.bytesWritten;
      }
      return { bytesIn, bytesOut };
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    },
  };
}
