// The only contract between agent and cloud: generated messages, MQTT topics and a validating codec.
export { hashinsight } from '../generated/hashinsight.js';
export { bytesToIp, bytesToMac, ipToBytes, macToBytes } from './addresses.js';
export {
  agentPresenceCodec,
  type Codec,
  cloudStateCodec,
  commandCodec,
  commandUpdateCodec,
  discoveryReportCodec,
  MAX_MESSAGE_BYTES,
  sealedCredentialCodec,
  telemetryAckCodec,
  telemetryBatchCodec,
} from './codec.js';
export { ProtocolError, type ProtocolErrorCode } from './errors.js';
export {
  checkSample,
  MAX_INFLATED_BYTES_PER_BATCH,
  newUnpackBudget,
  packSamples,
  type UnpackBudget,
  unpackSamples,
} from './packing.js';
export {
  AGENT_PUBLISHES,
  AGENT_TOPIC_KINDS,
  type AgentTopicKind,
  agentTopic,
  allAgentsTopic,
  CLOUD_STATE_TOPIC,
  isValidAgentId,
  parseAgentTopic,
  TOPIC_ROOT,
} from './topics.js';
export { MAX_SAMPLES_PER_BATCH } from './validate.js';
