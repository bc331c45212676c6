import {
  AGENT_PUBLISHES,
  type AgentTopicKind,
  agentTopic,
  CLOUD_STATE_TOPIC,
  MAX_MESSAGE_BYTES,
  parseAgentTopic,
} from '@hashinsight/protocol';

// Who may touch which topic, as proto/README.md gives it. The embedded broker applies these functions; the
// external broker gets the same lists as per-agent dynsec roles (dynsec.ts).

/** Topics the cloud publishes to an agent; the agent may subscribe to its own, exactly. */
export const AGENT_SUBSCRIBES: readonly AgentTopicKind[] = ['ack', 'command', 'credential'];

/**
 * Largest MQTT packet (remaining length) a client may send: the largest payload the protocol allows plus room
 * for the topic, packet id and MQTT 5 properties. Anything bigger is cut off at its fixed header, before the
 * broker buffers it, so it never reaches the ingest.
 */
export const MAX_PACKET_BYTES = MAX_MESSAGE_BYTES + 1024;

export function mayPublish(agentId: string, topic: string): boolean {
  try {
    const parsed = parseAgentTopic(topic);
    return parsed.agentId === agentId && AGENT_PUBLISHES.includes(parsed.kind);
  } catch {
    return false; // not an agent topic at all: $SYS, the cloud's topics, garbage
  }
}

/** Exact filters only: '+' and '#' never equal one of these, so no wildcard reaches another agent. */
export function maySubscribe(agentId: string, filter: string): boolean {
  return (
    filter === CLOUD_STATE_TOPIC || AGENT_SUBSCRIBES.some((kind) => filter === agentTopic(agentId, kind))
  );
}

/** Every topic `agentId` may publish to and every filter it may subscribe to, for external brokers. */
export function agentGrants(agentId: string): { publish: string[]; subscribe: string[] } {
  return {
    publish: AGENT_PUBLISHES.map((kind) => agentTopic(agentId, kind)),
    subscribe: [...AGENT_SUBSCRIBES.map((kind) => agentTopic(agentId, kind)), CLOUD_STATE_TOPIC],
  };
}
