import { ProtocolError } from './errors.js';

/** Root of every topic of contract v1. */
export const TOPIC_ROOT = 'hashinsight/v1';

/** What an agent's topic carries; the last level of hashinsight/v1/agent/{agentId}/{kind}. */
export const AGENT_TOPIC_KINDS = [
  'state',
  'telemetry',
  'discovery',
  'command-update',
  'ack',
  'command',
  'credential',
] as const;
export type AgentTopicKind = (typeof AGENT_TOPIC_KINDS)[number];

/** Kinds the agent publishes; the cloud publishes the rest. */
export const AGENT_PUBLISHES: readonly AgentTopicKind[] = [
  'state',
  'telemetry',
  'discovery',
  'command-update',
];

/** Agent ids are safe in a topic level and a file name: no wildcards, separators or control characters. */
const AGENT_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function isValidAgentId(agentId: string): boolean {
  return AGENT_ID.test(agentId);
}

export function agentTopic(agentId: string, kind: AgentTopicKind): string {
  if (!isValidAgentId(agentId))
    throw new ProtocolError('PROTOCOL_BAD_TOPIC', `invalid agent id ${JSON.stringify(agentId)}`);
  return `${TOPIC_ROOT}/agent/${agentId}/${kind}`;
}

/** Subscription filter matching one kind for every agent (the cloud's side). */
export function allAgentsTopic(kind: AgentTopicKind): string {
  return `${TOPIC_ROOT}/agent/+/${kind}`;
}

/** The cloud's retained presence topic. */
export const CLOUD_STATE_TOPIC = `${TOPIC_ROOT}/cloud/state`;

/** Splits an agent topic into its agent id and kind; throws PROTOCOL_BAD_TOPIC for anything else. */
export function parseAgentTopic(topic: string): { agentId: string; kind: AgentTopicKind } {
  const parts = topic.split('/');
  const [root, version, scope, agentId, kind] = parts;
  if (
    parts.length !== 5 ||
    `${root}/${version}` !== TOPIC_ROOT ||
    scope !== 'agent' ||
    agentId === undefined ||
    !isValidAgentId(agentId) ||
    !(AGENT_TOPIC_KINDS as readonly string[]).includes(kind ?? '')
  ) {
    throw new ProtocolError(
      'PROTOCOL_BAD_TOPIC',
      `not a hashinsight v1 agent topic: ${JSON.stringify(topic.slice(0, 200))}`,
    );
  }
  return { agentId, kind: kind as AgentTopicKind };
}
