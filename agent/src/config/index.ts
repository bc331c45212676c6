export {
  type AgentConfig,
  CONFIG_FILE_ENV,
  CONFIG_FILE_MAX_BYTES,
  ConfigError,
  IDENTITY_FILE,
  type LoadOptions,
  loadAgentConfig,
  printableConfig,
  SETTINGS,
} from './config.js';
export { expandTargets, MAX_TARGETS, parseTargets, type TargetSet } from './targets.js';
