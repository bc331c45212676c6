import {
  type AgentTopicKind,
  agentPresenceCodec,
  agentTopic,
  allAgentsTopic,
  ProtocolError,
  parseAgentTopic,
  telemetryAckCodec,
  telemetryBatchCodec,
} from '@hashinsight/protocol';
import type { FastifyPluginAsync } from 'fastify';
import { KeyedQueue } from '../../lib/keyed-queue.js';
import { ipCiphersOf } from '../miners/index.js';
import { UnknownAgentError } from './errors.js';
import { FleetTicker } from './fleet-tick.js';
import { type IngestMetrics, ingestMetrics } from './metrics.js';
import { agentPlace } from './repository.js';
import { applyPresence, ingestTelemetry, recordGaps } from './service.js';

export interface IngestOptions {
  /** Clock for last-seen times (tests inject one). */
  now?: () => number;
  /** Where the counters go; the process-wide ingestMetrics by default. */
  metrics?: IngestMetrics;
}

export { fleetChannel } from './fleet-tick.js';

export { IngestMetrics, ingestMetrics } from './metrics.js';

/**
 * Agent telemetry and presence from MQTT into the database. The agent id always comes from the topic, which the
 * broker only lets the agent with that client id publish to; payloads never name their sender. Each commit that
 * stored samples ticks the tenant's fleet channel (fleet-tick.ts), which live views follow.
 */
const ingestFeature: FastifyPluginAsync<IngestOptions> = async (
  fastify,
  { now = Date.now, metrics = ingestMetrics },
) => {
  const log = fastify.log.child({ feature: 'ingest' });
  const { db, broker } = fastify;
  const ticker = new FleetTicker({
    notifier: fastify.platform.notifier,
    place: (agentId) => agentPlace(db, agentId),
    logger: log,
  });
  // One agent's messages are handled in arrival order (the high-water mark depends on it); agents in parallel.
  const queue = new KeyedQueue();

  function rejected(
    agentId: string,
    kind: AgentTopicKind,
    error: ProtocolError | UnknownAgentError,
    bytes: number,
  ): void {
    metrics.reject(kind, error.code);
    // Never the payload itself: it is untrusted and may be huge.
    log.warn(
      { agentId, kind, code: error.code, reason: error.message, bytes, rejectedTotal: metrics.rejectedTotal },
      'message rejected',
    );
  }

  async function onTelemetry(agentId: string, payload: Uint8Array): Promise<void> {
    let batch: ReturnType<typeof telemetryBatchCodec.decode>;
    try {
      batch = telemetryBatchCodec.decode(payload);
    } catch (error) {
      if (error instanceof ProtocolError) return rejected(agentId, 'telemetry', error, payload.length);
      throw error;
    }
    if (batch.gaps.length > 0) {
      // Before the samples: the marks must be past the gaps when this batch's ack is computed.
      for (const gap of await recordGaps(db, agentId, batch.gaps, now())) {
        log.warn({ agentId, ...gap }, 'the agent dropped samples unsent (its disk budget): a gap recorded');
      }
    }
    const outcome = await ingestTelemetry(db, agentId, batch, now(), ipCiphersOf(fastify.vault));
    metrics.batchesStored += 1;
    metrics.samplesStored += outcome.applied;
    metrics.duplicateSamples += outcome.duplicates;
    if (outcome.skipped !== undefined) {
      log.warn(
        { agentId, epoch: outcome.epoch, fromSeq: outcome.skipped.fromSeq, toSeq: outcome.skipped.toSeq },
        'mark moved to the oldest unacked seq: samples acknowledged earlier are unknown to this cloud',
      );
    }
    // Committed: live views may refresh (throttled, never in the way of the ack).
    if (outcome.applied > 0) ticker.stored(agentId);
    // Only now, after the commit, may the agent forget these samples.
    const ack = telemetryAckCodec.encode({ epoch: outcome.epoch, upToSeq: outcome.upToSeq });
    await broker.publish(agentTopic(agentId, 'ack'), ack, { qos: 1, retain: false });
    log.debug({ agentId, ...outcome }, 'telemetry stored');
  }

  async function onPresence(agentId: string, payload: Uint8Array): Promise<void> {
    let presence: ReturnType<typeof agentPresenceCodec.decode>;
    try {
      presence = agentPresenceCodec.decode(payload);
    } catch (error) {
      if (error instanceof ProtocolError) return rejected(agentId, 'state', error, payload.length);
      throw error;
    }
    const outcome = await applyPresence(db, agentId, presence, now());
    log.info(
      { agentId, ...outcome },
      outcome.applied ? `agent ${outcome.kind}` : `stale agent ${outcome.kind} ignored`,
    );
  }

  function route(kind: AgentTopicKind, handle: (agentId: string, payload: Uint8Array) => Promise<void>) {
    return (topic: string, payload: Uint8Array): Promise<void> => {
      const { agentId } = parseAgentTopic(topic); // the subscription filter guarantees an agent topic
      return queue.add(agentId, () =>
        handle(agentId, payload).catch((error: unknown) => {
          if (error instanceof UnknownAgentError) return rejected(agentId, kind, error, payload.length);
          metrics.failures += 1;
          log.error({ err: error, agentId, kind }, 'message handling failed');
        }),
      );
    };
  }

  const unsubscribes = [
    await broker.subscribe(allAgentsTopic('telemetry'), route('telemetry', onTelemetry)),
    await broker.subscribe(allAgentsTopic('state'), route('state', onPresence)),
  ];

  fastify.addHook('onClose', async () => {
    for (const unsubscribe of unsubscribes) await unsubscribe();
    await queue.drain(); // let in-flight batches commit (and be acked) before the database closes
    ticker.close();
  });
};

export default ingestFeature;
