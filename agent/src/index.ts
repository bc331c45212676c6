export { AGENT_VERSION, type RunningAgent, startAgent } from './agent.js';
export { type AgentConfig, ConfigError, expandTargets, loadAgentConfig } from './config/index.js';
export {
  type EnrollOptions,
  enroll,
  type Identity,
  IdentityError,
  loadIdentity,
} from './identity/index.js';
export { createLogger } from './logger.js';
export { identityOf, readingToSample } from './poll/index.js';
export { AgentStore } from './store/index.js';
export { CloudSync, type CloudSyncOptions } from './sync/index.js';
