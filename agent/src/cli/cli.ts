import { AGENT_VERSION } from '../version.js';
import { shown } from './args.js';
import type { CliIo } from './io.js';

interface Command {
  summary: string;
  run: (argv: string[], io: CliIo) => Promise<number>;
}

const runRun: Command['run'] = async (argv, io) => (await import('./run.js')).runRunCommand(argv, io);
const runPrintConfig: Command['run'] = async (argv, io) =>
  (await import('./print-config.js')).runPrintConfigCommand(argv, io);

/**
 * Every `hashinsight-agent <command>`; each module parses its own arguments and answers its own --help. Modules
 * load on use, so `status` on a small box does not pay for the MQTT client and the drivers.
 */
const COMMANDS: Record<string, Command> = {
  run: { summary: 'run the agent daemon (the default)', run: runRun },
  status: {
    summary: "the site's miners: IP, model, firmware, hashrate, temperature, state",
    run: async (argv, io) => (await import('./status.js')).runStatusCommand(argv, io),
  },
  scan: {
    summary: 'find and identify miners in CIDRs, ranges or IPs: progress bar, then a table or --json',
    run: async (argv, io) => (await import('./scan.js')).runScanCommand(argv, io),
  },
  doctor: {
    summary: 'check broker, cloud, clock, disk budget and miners: PASS/WARN/FAIL',
    run: async (argv, io) => (await import('./doctor.js')).runDoctorCommand(argv, io),
  },
  enroll: {
    summary: 'enroll this box with the cloud: one-time token → broker login; keys stay here',
    run: async (argv, io) => (await import('./enroll.js')).runEnrollCommand(argv, io),
  },
  'print-config': { summary: 'the effective settings, secrets masked', run: runPrintConfig },
};

function usage(): string {
  const rows = Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(14)} ${command.summary}`);
  return (
    'usage: hashinsight-agent [command] [options]\n\n' +
    `commands:\n${rows.join('\n')}\n\n` +
    'Without a command the daemon runs (`hashinsight-agent --config <file>` = `hashinsight-agent run --config <file>`).\n' +
    '`hashinsight-agent <command> --help` describes a command; `--version` prints the version.\n' +
    'Settings: a JSON file (--config or HASHINSIGHT_AGENT_CONFIG) under HASHINSIGHT_* environment variables.\n'
  );
}

/**
 * `hashinsight-agent <command> [options]` → exit code (0 done, 1 failed, 2 bad usage). No command, or options
 * only, runs the daemon, as the command always did; the old `--print-config` flag still prints the settings.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--help' || first === '-h' || first === 'help') {
    io.stdout.write(usage());
    return 0;
  }
  if (first === '--version') {
    io.stdout.write(`${AGENT_VERSION}\n`);
    return 0;
  }
  if (first === '--print-config') return runPrintConfig(rest, io);
  if (first === undefined || first.startsWith('-')) return runRun(argv, io);
  const command = Object.hasOwn(COMMANDS, first) ? COMMANDS[first] : undefined;
  if (command === undefined) {
    io.stderr.write(`hashinsight-agent: unknown command ${shown(first)}\n${usage()}`);
    return 2;
  }
  return command.run(rest, io);
}
