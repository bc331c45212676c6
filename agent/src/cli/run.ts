import { startAgent } from '../agent.js';
import { createLogger } from '../logger.js';
import { type CommandSpec, parseOrExit } from './args.js';
import { CONFIG_OPTION, loadConfigOrExit } from './config-option.js';
import type { CliIo } from './io.js';

export const RUN_SPEC: CommandSpec = {
  name: 'run',
  summary:
    'Run the agent daemon: poll the miners, keep every sample in the store, sync to the cloud, rescan on\n' +
    'schedule, serve the local health endpoint. Stops cleanly on SIGINT or SIGTERM. The default command.',
  options: { config: CONFIG_OPTION },
};

/** Runs until SIGINT or SIGTERM, then stops every part in reverse order; 0 on a clean stop. */
export async function runRunCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseOrExit(RUN_SPEC, argv, io);
  if (typeof args === 'number') return args;
  const config = loadConfigOrExit('run', args.values.config, io);
  if (typeof config === 'number') return config;
  const logger = createLogger(config.logLevel);
  let agent: ReturnType<typeof startAgent>;
  try {
    agent = startAgent(config, logger);
  } catch (error) {
    // A broken identity or a store that cannot open: said once, without a stack trace; systemd restarts us.
    io.stderr.write(`hashinsight-agent run: ${(error as Error).message}\n`);
    return 1;
  }
  const signal = await new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  logger.info({ signal }, 'stopping');
  try {
    await agent.stop();
    return 0;
  } catch (error) {
    logger.error({ err: error }, 'unclean stop');
    return 1;
  }
}
