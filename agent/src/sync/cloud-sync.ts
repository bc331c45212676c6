import {
  agentPresenceCodec,
  agentTopic,
  ProtocolError,
  telemetryAckCodec,
  telemetryBatchCodec,
} from '@hashinsight/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { AgentStore } from '../store/index.js';
import { reconnectDelayMs } from './backoff.js';

export interface CloudSyncOptions {
  agentId: string;
  mqttUrl: string;
  /** The broker login from enrollment (user name = agent id); unset for a broker without logins. */
  mqttUsername?: string | undefined;
  mqttPassword?: string | undefined;
  batchSize: number;
  agentVersion: string;
  hostname: string;
  /** How long to wait for the cloud's ack of a batch before sending it again. */
  ackTimeoutMs?: number;
}

interface AckWaiter {
  epoch: number;
  seq: number;
  resolve: () => void;
}

/**
 * Moves the outbox to the cloud over MQTT. Each connection is a new session epoch with a birth and a last-will
 * death; batches go oldest first, one at a time, and samples leave the outbox only on the cloud's
 * application-level ack (sent after its commit), never on a PUBACK.
 */
export class CloudSync {
  private client: MqttClient | undefined;
  private connected = false;
  private epoch = 0;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private draining = false;
  private stopped = false;
  private waiter: AckWaiter | undefined;
  private readonly ackTimeoutMs: number;

  constructor(
    private readonly store: AgentStore,
    private readonly options: CloudSyncOptions,
    private readonly logger: Logger,
  ) {
    this.ackTimeoutMs = options.ackTimeoutMs ?? 10_000;
  }

  get isConnected(): boolean {
    return this.connected;
  }

  start(): void {
    this.connect();
  }

  /** Something new is in the outbox: send it if we can. */
  kick(): void {
    void this.drain();
  }

  /** Says goodbye (a clean death) when connected, then closes. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    if (!client) return;
    if (this.connected) {
      const death = agentPresenceCodec.encode({ death: { epoch: this.epoch, clean: true } });
      await client
        .publishAsync(this.topic('state'), Buffer.from(death), { qos: 1, retain: true })
        .catch((error: unknown) => this.logger.warn({ err: error }, 'could not publish the clean death'));
    }
    this.settleWaiter();
    await client.endAsync();
  }

  private topic(kind: 'state' | 'telemetry' | 'ack') {
    return agentTopic(this.options.agentId, kind);
  }

  private connect(): void {
    // The epoch is used in the will before the connection exists; it is persisted once the connection is up.
    const epoch = this.store.currentEpoch() + 1;
    const death = agentPresenceCodec.encode({ death: { epoch, clean: false } });
    const { mqttUsername, mqttPassword } = this.options;
    const client = mqtt.connect(this.options.mqttUrl, {
      clientId: this.options.agentId,
      ...(mqttUsername === undefined ? {} : { username: mqttUsername, password: mqttPassword }),
      clean: true,
      keepalive: 30,
      reconnectPeriod: 0, // reconnects are ours: each one needs a new epoch and will
      connectTimeout: 10_000,
      will: { topic: this.topic('state'), payload: Buffer.from(death), qos: 1, retain: true },
    });
    this.client = client;
    client.on('connect', () => {
      this.epoch = this.store.nextEpoch();
      this.attempt = 0;
      this.logger.info({ epoch: this.epoch, backlog: this.store.backlog() }, 'connected to the cloud broker');
      void this.onConnected(client);
    });
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
    client.on('error', (error) => this.logger.warn({ err: error }, 'cloud broker connection error'));
    client.on('close', () => {
      if (this.client !== client) return;
      const wasConnected = this.connected;
      this.connected = false;
      this.settleWaiter();
      if (this.stopped) return;
      const delay = reconnectDelayMs(this.attempt++);
      if (wasConnected) this.logger.warn({ epoch: this.epoch, retryInMs: delay }, 'lost the cloud broker');
      client.end(true);
      this.reconnectTimer = setTimeout(() => this.connect(), delay);
    });
  }

  private async onConnected(client: MqttClient): Promise<void> {
    try {
      await client.subscribeAsync(this.topic('ack'), { qos: 1 });
      const birth = agentPresenceCodec.encode({
        birth: {
          epoch: this.epoch,
          startedAtMs: Date.now(),
          agentVersion: this.options.agentVersion,
          hostname: this.options.hostname,
          backlogSamples: this.store.backlog(),
        },
      });
      await client.publishAsync(this.topic('state'), Buffer.from(birth), { qos: 1, retain: true });
      // Ready only now: telemetry never precedes the birth, and no ack can arrive before we listen for it.
      if (this.client !== client) return;
      this.connected = true;
      await this.drain();
    } catch (error) {
      this.logger.warn({ err: error }, 'session setup failed; the connection will be retried');
      client.end(true);
    }
  }

  private onMessage(topic: string, payload: Buffer): void {
    if (topic !== this.topic('ack')) return;
    try {
      const ack = telemetryAckCodec.decode(payload);
      const removed = this.store.acknowledge(ack.epoch, ack.upToSeq);
      this.logger.debug({ epoch: ack.epoch, upToSeq: ack.upToSeq, removed }, 'telemetry acknowledged');
      if (this.waiter && this.waiter.epoch === ack.epoch && ack.upToSeq >= this.waiter.seq)
        this.settleWaiter();
    } catch (error) {
      const code = error instanceof ProtocolError ? error.code : 'AGENT_ACK_FAILED';
      this.logger.warn({ code, err: error }, 'ignored a bad ack');
    }
  }

  private settleWaiter(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.resolve();
  }

  /** Sends the oldest batch, waits for its ack (or a timeout, then sends again), until the outbox is empty. */
  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.connected && this.client) {
        const batch = this.store.oldestBatch(this.options.batchSize);
        if (!batch) break;
        const lastSeq = Number(batch.samples.at(-1)?.seq);
        const bytes = telemetryBatchCodec.encode({ ...batch, historical: batch.epoch < this.epoch });
        const acked = new Promise<void>((resolve) => {
          this.waiter = { epoch: batch.epoch, seq: lastSeq, resolve };
        });
        const timeout = setTimeout(() => this.settleWaiter(), this.ackTimeoutMs);
        try {
          await this.client.publishAsync(this.topic('telemetry'), Buffer.from(bytes), { qos: 1 });
          await acked;
        } finally {
          clearTimeout(timeout);
        }
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'telemetry drain interrupted');
    } finally {
      this.draining = false;
    }
  }
}
