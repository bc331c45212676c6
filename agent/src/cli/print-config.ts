import { printableConfig } from '../config/index.js';
import { type CommandSpec, parseOrExit } from './args.js';
import { CONFIG_OPTION, loadConfigOrExit } from './config-option.js';
import type { CliIo } from './io.js';

export const PRINT_CONFIG_SPEC: CommandSpec = {
  name: 'print-config',
  summary: 'Print the effective settings as JSON (file, environment and enrollment merged), secrets masked.',
  options: { config: CONFIG_OPTION },
};

export async function runPrintConfigCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseOrExit(PRINT_CONFIG_SPEC, argv, io);
  if (typeof args === 'number') return args;
  const config = loadConfigOrExit('print-config', args.values.config, io);
  if (typeof config === 'number') return config;
  io.stdout.write(`${JSON.stringify(printableConfig(config), null, 2)}\n`);
  return 0;
}
