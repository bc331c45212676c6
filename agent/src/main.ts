#!/usr/bin/env node
// hashinsight-agent: runs the agent daemon with settings from HASHINSIGHT_* environment variables.
import { startAgent } from './agent.js';
import { ConfigError, loadAgentConfig, printableConfig } from './config/index.js';
import { createLogger } from './logger.js';

const USAGE = 'usage: hashinsight-agent [--print-config]';

function main(): void {
  const args = process.argv.slice(2);
  const unknown = args.filter((arg) => arg !== '--print-config');
  if (unknown.length > 0) {
    const shown = JSON.stringify(String(unknown[0]).slice(0, 80)).replace(
      /[\u202a-\u202e\u2066-\u2069]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16)}`,
    );
    console.error(`hashinsight-agent: unknown argument ${shown}\n${USAGE}`);
    process.exit(2);
  }
  let config: ReturnType<typeof loadAgentConfig>;
  try {
    config = loadAgentConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`hashinsight-agent: ${error.message}`);
    process.exit(1);
  }
  if (args.includes('--print-config')) {
    console.log(JSON.stringify(printableConfig(config), null, 2));
    return;
  }
  const logger = createLogger(config.logLevel);
  const agent = startAgent(config, logger);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    agent.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'unclean stop');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main();
