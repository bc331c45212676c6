export { AGENT_SUBSCRIBES, agentGrants, MAX_PACKET_BYTES, mayPublish, maySubscribe } from './acl.js';
export { agentRoleName, DYNSEC_TOPIC } from './dynsec.js';
export { createEmbeddedBroker, type EmbeddedBroker, type EmbeddedBrokerOptions } from './embedded.js';
export {
  connectExternalBroker,
  type ExternalBroker,
  type ExternalBrokerOptions,
  SHARED_GROUP,
  topicMatches,
} from './external.js';
export { PacketSizeScanner } from './packet-guard.js';
export type { Broker, MessageHandler, VerifyAgent } from './types.js';
