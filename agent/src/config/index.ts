export { type AgentConfig, ConfigError, loadAgentConfig } from './config.js';
export { expandTargets, MAX_TARGETS } from './targets.js';
