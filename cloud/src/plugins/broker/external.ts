import { randomBytes } from 'node:crypto';
import { CLOUD_STATE_TOPIC, cloudStateCodec } from '@hashinsight/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { DYNSEC_RESPONSE_TOPIC, DynsecClient, provisionCommands, revokeCommands } from './dynsec.js';
import type { Broker, MessageHandler } from './types.js';

/** The cloud as a client of a broker it does not run (Mosquitto with the dynamic security plugin). */
export interface ExternalBroker extends Broker {
  /** Announces the cloud offline and disconnects. */
  close(): Promise<void>;
}

export interface ExternalBrokerOptions {
  /** mqtt(s)://user:password@host:port with the cloud's own service credentials. */
  url: string;
  /** How long a dynsec command may take before provisioning or revoking fails. */
  commandTimeoutMs?: number;
}

/**
 * Cloud instances share agent messages: each message of an agent topic goes to one instance of this group, so
 * two instances behind a load balancer do not both ingest (and ack) the same batch.
 */
export const SHARED_GROUP = 'hashinsight-cloud';

/** Whether `topic` matches the MQTT filter `filter` (+ one level, # the rest). */
export function topicMatches(filter: string, topic: string): boolean {
  const filterLevels = filter.split('/');
  const topicLevels = topic.split('/');
  for (const [index, level] of filterLevels.entries()) {
    if (level === '#') return true;
    const actual = topicLevels[index];
    if (actual === undefined) return false;
    if (level !== '+' && level !== actual) return false;
  }
  return filterLevels.length === topicLevels.length;
}

const cloudState = (online: boolean) => Buffer.from(cloudStateCodec.encode({ online, atMs: Date.now() }));

/**
 * Connects to the external broker as `hashinsight-cloud-<random>` (MQTT 5, reconnecting by itself). Resolves
 * once connected; rejects when the first connection fails (wrong URL or credentials are a startup error).
 */
export async function connectExternalBroker(
  logger: Logger,
  { url, commandTimeoutMs = 5000 }: ExternalBrokerOptions,
): Promise<ExternalBroker> {
  const client: MqttClient = await mqtt.connectAsync(url, {
    protocolVersion: 5,
    clientId: `hashinsight-cloud-${randomBytes(6).toString('hex')}`,
    clean: true,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    // The broker says offline for us if we vanish; any other instance still running says online again.
    will: { topic: CLOUD_STATE_TOPIC, payload: cloudState(false), qos: 1, retain: true },
  });
  const dynsec = new DynsecClient(client, commandTimeoutMs);
  // Each filter is subscribed with its own MQTT 5 subscription identifier: the broker names, on every message,
  // which subscriptions it was delivered for, so a message matching two filters reaches each handler once.
  const handlers = new Map<string, { id: number; set: Set<MessageHandler> }>();
  let nextSubscriptionId = 1;
  let closing = false;

  const announceOnline = () =>
    client
      .publishAsync(CLOUD_STATE_TOPIC, cloudState(true), { qos: 1, retain: true })
      .catch((error: unknown) => logger.warn({ err: error }, 'could not announce the cloud online'));

  // Several instances share the one retained cloud state: when one stops (its clean "offline", or its will
  // after a crash) while this one runs, the state must say online again, or agents would think the cloud gone.
  const onCloudState = (payload: Buffer) => {
    if (closing || !client.connected) return;
    let online: boolean;
    try {
      online = cloudStateCodec.decode(payload).online === true;
    } catch (error) {
      logger.warn({ err: error }, 'undecodable retained cloud state; announcing online');
      online = false;
    }
    if (!online) void announceOnline();
  };

  client.on('message', (topic, payload, packet) => {
    if (topic === DYNSEC_RESPONSE_TOPIC) return dynsec.onResponse(payload);
    if (topic === CLOUD_STATE_TOPIC) return onCloudState(payload);
    const delivered = packet.properties?.subscriptionIdentifier;
    const ids = delivered === undefined ? undefined : new Set([delivered].flat());
    for (const [filter, { id, set }] of handlers) {
      if (ids === undefined ? !topicMatches(filter, topic) : !ids.has(id)) continue;
      for (const handler of set) {
        Promise.resolve()
          .then(() => handler(topic, payload))
          .catch((error: unknown) => logger.error({ err: error, topic }, 'mqtt handler failed'));
      }
    }
  });
  client.on('connect', () => {
    logger.info('reconnected to the MQTT broker');
    void announceOnline();
  });
  client.on('offline', () => {
    if (!closing) logger.warn('lost the MQTT broker; reconnecting');
  });
  client.on('error', (error) => logger.warn({ err: error }, 'MQTT broker connection error'));

  await client.subscribeAsync(DYNSEC_RESPONSE_TOPIC, { qos: 1 });
  await announceOnline();
  await client.subscribeAsync(CLOUD_STATE_TOPIC, { qos: 1 });
  logger.info('connected to the external MQTT broker');

  const shared = (filter: string) => (filter.includes('+') ? `$share/${SHARED_GROUP}/${filter}` : filter);

  return {
    async publish(topic, payload, { qos, retain }) {
      await client.publishAsync(topic, Buffer.from(payload), { qos, retain });
    },

    async subscribe(filter, handler) {
      let entry = handlers.get(filter);
      if (entry === undefined) {
        entry = { id: nextSubscriptionId++, set: new Set() };
        handlers.set(filter, entry);
        await client.subscribeAsync(shared(filter), {
          qos: 1,
          properties: { subscriptionIdentifier: entry.id },
        });
      }
      const { set } = entry;
      set.add(handler);
      return async () => {
        set.delete(handler);
        if (set.size > 0 || handlers.get(filter) !== entry) return;
        handlers.delete(filter);
        if (client.connected) await client.unsubscribeAsync(shared(filter));
      };
    },

    provisionAgent: (agentId, password) => dynsec.run(provisionCommands(agentId, password)),

    // Idempotent: revoking an agent the broker no longer knows is done already.
    revokeAgent: (agentId) => dynsec.run(revokeCommands(agentId), (error) => /not found/i.test(error)),

    isRunning: () => client.connected && !closing,

    async close() {
      if (closing) return;
      closing = true;
      if (client.connected) {
        await client
          .publishAsync(CLOUD_STATE_TOPIC, cloudState(false), { qos: 1, retain: true })
          .catch((error: unknown) => logger.warn({ err: error }, 'could not announce the cloud offline'));
      }
      await client.endAsync();
    },
  };
}
