import type { AgentTopicKind } from '@hashinsight/protocol';
import {
  agentPresenceCodec,
  agentTopic,
  CLOUD_STATE_TOPIC,
  cloudStateCodec,
  ProtocolError,
  telemetryAckCodec,
} from '@hashinsight/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { AgentStore } from '../store/index.js';
import { reconnectDelayMs } from './backoff.js';
import { type DrainOptions, TelemetryDrain } from './drain.js';

export interface CloudSyncOptions extends DrainOptions {
  agentId: string;
  mqttUrl: string;
  /** The broker login from enrollment (user name = agent id); unset for a broker without logins. */
  mqttUsername?: string | undefined;
  mqttPassword?: string | undefined;
  agentVersion: string;
  hostname: string;
}

/** What other modules may publish through the sync, and what they may receive. */
export type PublishKind = 'discovery' | 'command-update';
export type MessageKind = 'command' | 'credential';

/** The sync's state for doctor and health. */
export interface SyncStats {
  connected: boolean;
  /** The epoch of the current (or last) connection; 0 before the first. */
  epoch: number;
  /** When the cloud last acknowledged telemetry, ms since the Unix epoch. */
  lastAckAtMs: number | undefined;
  /** The cloud's retained CloudState: undefined until one was seen. */
  cloudOnline: boolean | undefined;
  /** Telemetry batches sent and not yet acknowledged. */
  inFlight: number;
  batchesSent: number;
  bytesSent: number;
  /** Times unacked telemetry was sent again after the ack timeout. */
  resends: number;
}

/**
 * The agent's MQTT session with the cloud. Each connection is a new session epoch with a birth and a last-will
 * death; telemetry goes through the drain (drain.ts: live and backlog lanes, a window of batches in flight,
 * rows deleted only on the cloud's ack, never on a PUBACK). Other modules publish and receive through it.
 */
export class CloudSync {
  private client: MqttClient | undefined;
  private connected = false;
  private epoch = 0;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly drain: TelemetryDrain;
  private readonly handlers = new Map<MessageKind, (payload: Buffer) => void>();
  private readonly connectedHandlers: Array<() => void> = [];
  private lastAckAtMs: number | undefined;
  private cloudOnline: boolean | undefined;

  constructor(
    private readonly store: AgentStore,
    private readonly options: CloudSyncOptions,
    private readonly logger: Logger,
  ) {
    this.drain = new TelemetryDrain(store, options, logger);
  }

  get isConnected(): boolean {
    return this.connected;
  }

  stats(): SyncStats {
    return {
      connected: this.connected,
      epoch: this.epoch,
      lastAckAtMs: this.lastAckAtMs,
      cloudOnline: this.cloudOnline,
      ...this.drain.stats(),
    };
  }

  /**
   * Publishes `payload` on this agent's `kind` topic at QoS 1. True once the broker took it (PUBACK), false
   * when not connected or the publish failed: callers keep their own unreported state and retry, e.g. from
   * onConnected.
   */
  async publish(kind: PublishKind, payload: Uint8Array): Promise<boolean> {
    const client = this.client;
    if (!this.connected || !client) return false;
    try {
      await client.publishAsync(this.topic(kind), Buffer.from(payload), { qos: 1 });
      return true;
    } catch (error) {
      this.logger.warn({ err: error, kind }, 'publish failed');
      return false;
    }
  }

  /** Hands every message on this agent's `kind` topic to `handler` (one handler per kind; subscribed on every connect). */
  onMessage(kind: MessageKind, handler: (payload: Buffer) => void): void {
    this.handlers.set(kind, handler);
    const client = this.client;
    if (this.connected && client) {
      client
        .subscribeAsync(this.topic(kind), { qos: 1 })
        .catch((error: unknown) => this.logger.warn({ err: error, kind }, 'subscribe failed'));
    }
  }

  /** Calls `handler` after each connection is ready (birth published), e.g. to flush unreported updates. */
  onConnected(handler: () => void): void {
    this.connectedHandlers.push(handler);
  }

  start(): void {
    this.connect();
  }

  /** Something new is in the outbox: send it if we can. */
  kick(): void {
    this.drain.kick();
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
    this.drain.end();
    await client.endAsync();
  }

  private topic(kind: AgentTopicKind) {
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
      void this.openSession(client);
    });
    client.on('message', (topic, payload) => this.route(topic, payload));
    client.on('error', (error) => this.logger.warn({ err: error }, 'cloud broker connection error'));
    client.on('close', () => {
      if (this.client !== client) return;
      const wasConnected = this.connected;
      this.connected = false;
      this.drain.end();
      if (this.stopped) return;
      const delay = reconnectDelayMs(this.attempt++);
      if (wasConnected) this.logger.warn({ epoch: this.epoch, retryInMs: delay }, 'lost the cloud broker');
      client.end(true);
      this.reconnectTimer = setTimeout(() => this.connect(), delay);
    });
  }

  private async openSession(client: MqttClient): Promise<void> {
    try {
      const topics = [
        this.topic('ack'),
        CLOUD_STATE_TOPIC,
        ...[...this.handlers.keys()].map((k) => this.topic(k)),
      ];
      await client.subscribeAsync(topics, { qos: 1 });
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
      for (const handler of this.connectedHandlers) {
        try {
          handler();
        } catch (error) {
          this.logger.warn({ err: error }, 'onConnected handler failed');
        }
      }
      this.drain.begin({
        epoch: this.epoch,
        send: async (payload) => {
          await client.publishAsync(this.topic('telemetry'), payload, { qos: 1 });
        },
      });
    } catch (error) {
      this.logger.warn({ err: error }, 'session setup failed; the connection will be retried');
      client.end(true);
    }
  }

  private route(topic: string, payload: Buffer): void {
    if (topic === CLOUD_STATE_TOPIC) {
      this.onCloudState(payload);
      return;
    }
    for (const [kind, handler] of this.handlers) {
      if (topic !== this.topic(kind)) continue;
      try {
        handler(payload);
      } catch (error) {
        this.logger.warn({ err: error, kind }, 'message handler failed');
      }
      return;
    }
    if (topic !== this.topic('ack')) return;
    try {
      const ack = telemetryAckCodec.decode(payload);
      this.lastAckAtMs = Date.now();
      this.drain.acknowledged(ack.epoch, ack.upToSeq);
    } catch (error) {
      const code = error instanceof ProtocolError ? error.code : 'AGENT_ACK_FAILED';
      this.logger.warn({ code, err: error }, 'ignored a bad ack');
    }
  }

  private onCloudState(payload: Buffer): void {
    // An empty retained message clears the state: unknown again.
    if (payload.length === 0) {
      this.cloudOnline = undefined;
      this.drain.allowBacklog(true);
      return;
    }
    try {
      this.cloudOnline = cloudStateCodec.decode(payload).online;
      this.drain.allowBacklog(this.cloudOnline);
    } catch (error) {
      this.logger.warn({ err: error }, 'ignored a bad cloud state');
    }
  }
}
