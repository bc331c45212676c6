export { type AgentConfig, ConfigError, loadAgentConfig, printableConfig } from './config.js';
export { expandTargets, MAX_TARGETS } from './targets.js';
