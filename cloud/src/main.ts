#!/usr/bin/env node
// The cloud CLI: `hashinsight-cloud` starts it, `hashinsight-cloud --print-config` shows the effective settings.
import { ConfigError, loadCloudConfig, printableConfig } from './config/index.js';
import { auditVerifyCommand } from './features/audit/index.js';
import { createTenantCommand } from './features/auth/index.js';
import { createLogger } from './logger.js';
import { startCloud } from './server.js';

const USAGE =
  'usage: hashinsight-cloud [--print-config]\n       hashinsight-cloud audit-verify\n       hashinsight-cloud create-tenant --name <company> --owner-email <email>';

/** One-shot operator commands: they run against the configured database and exit with their own code. */
const COMMANDS: Record<
  string,
  (args: string[], env: NodeJS.ProcessEnv, print: (line: string) => void) => Promise<number>
> = {
  'audit-verify': auditVerifyCommand,
  'create-tenant': createTenantCommand,
};

/**
 * An argument as it is safe to echo to a terminal: quoted, at most 80 characters, with control and format
 * characters (a U+202E right-to-left override, an escape sequence) spelled out instead of acted on.
 */
function shown(arg: string): string {
  const quoted = JSON.stringify(arg.length > 80 ? arg.slice(0, 80) : arg).replace(/\p{C}/gu, (char) => {
    const code = char.codePointAt(0) ?? 0;
    return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
  return arg.length > 80 ? `${quoted}… (${arg.length} characters)` : quoted;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const command = args[0] === undefined || !Object.hasOwn(COMMANDS, args[0]) ? undefined : COMMANDS[args[0]];
  if (command !== undefined) {
    process.exitCode = await command(args.slice(1), process.env, (line) => process.stdout.write(`${line}\n`));
    return;
  }
  // Anything else is a typo or a wrong guess at a flag: starting the server anyway would hide it.
  const unknown = args.find((arg) => arg !== '--print-config');
  if (unknown !== undefined) {
    process.stderr.write(`hashinsight-cloud: unknown argument ${shown(unknown)}\n${USAGE}\n`);
    process.exitCode = 2; // not process.exit(): let stderr drain
    return;
  }
  const config = loadCloudConfig(process.env);
  if (args.includes('--print-config')) {
    process.stdout.write(`${JSON.stringify(printableConfig(config), null, 2)}\n`);
    return;
  }
  const logger = createLogger(config.logLevel);
  logger.info({ config: printableConfig(config) }, 'cloud starting');
  const cloud = await startCloud(config, { logger });
  logger.info({ url: cloud.httpUrl, mqttPort: cloud.mqttPort }, 'cloud listening');

  // Printed to the terminal, not logged, so the password does not end up in log storage.
  const password =
    cloud.bootstrapPassword !== undefined
      ? `${cloud.bootstrapPassword}   <- generated, shown only this once: save it now`
      : config.bootstrapPassword !== undefined
        ? '(the one in HASHINSIGHT_BOOTSTRAP_PASSWORD when the owner was created)'
        : '(set when the owner was created)';
  process.stdout.write(
    `\nHashInsight cloud at ${cloud.httpUrl}\n  email:    ${config.bootstrapEmail}\n  password: ${password}\n\n`,
  );

  const shutdown = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'cloud stopping');
    cloud.close().then(
      () => logger.info('cloud stopped'),
      (error: unknown) => {
        logger.error({ err: error }, 'cloud did not stop cleanly');
        process.exitCode = 1;
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`hashinsight-cloud: ${error.message}\n`);
  } else {
    process.stderr.write(
      `hashinsight-cloud: failed to start: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
  }
  process.exit(1);
});
