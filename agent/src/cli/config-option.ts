import { type AgentConfig, ConfigError, loadAgentConfig } from '../config/index.js';
import type { OptionSpec } from './args.js';
import type { CliIo } from './io.js';

/** The `--config <file>` option every command that reads settings takes. */
export const CONFIG_OPTION: OptionSpec = {
  type: 'string',
  value: '<file>',
  description: 'JSON config file (else HASHINSIGHT_AGENT_CONFIG); HASHINSIGHT_* env overrides it',
};

/** The effective settings, or exit code 1 after naming the bad key on stderr (no stack trace). */
export function loadConfigOrExit(command: string, configFile: unknown, io: CliIo): AgentConfig | number {
  try {
    return loadAgentConfig(io.env, {
      cwd: io.cwd,
      ...(typeof configFile === 'string' ? { configFile } : {}),
    });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr.write(`hashinsight-agent ${command}: ${error.message}\n`);
    return 1;
  }
}
