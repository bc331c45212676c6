import { parseArgs } from 'node:util';
import { SimulatorError } from './errors.js';
import { loopbackHosts } from './loopback.js';
import { type Mix, parseMix } from './mix.js';

export const USAGE = `usage: node packages/simulator/dist/cli.js [--count N] [--cidr 127.X.0.0/16] [--port P] [--seed S]
                                         [--mix firmware:percent,...] [--http-port P]
                                         [--reboot-ms MS] [--control-fail-pct N]
  --count      how many miners (default 10)
  --cidr       loopback block whose first hosts they take (default 127.1.0.0/16)
  --port       cgminer API port on every address (default 4028)
  --seed       makes the numbers repeatable (default 1)
  --mix        firmware shares adding up to 100, e.g. antminer:60,whatsminer:25,avalon:10,braiins:5
               (antminer, whatsminer, avalon, braiins, luxos, vnish; default all antminer)
  --http-port  serve the stock Antminers' web CGI (HTTP Digest, root/root) on this port too
  --reboot-ms  how long a reboot keeps a miner offline (default 5000)
  --control-fail-pct  share of the miners, in whole percent, whose operator commands fail (default 0)
`;

export interface CliOptions {
  help: boolean;
  hosts: string[];
  port: number;
  seed: number;
  mix?: Mix;
  httpPort?: number;
  rebootMs?: number;
  controlFailPct?: number;
}

/** Reads and checks the command line; any problem is a SIMULATOR_BAD_ARGS error that names the flag. */
export function parseCliArgs(argv: string[]): CliOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        count: { type: 'string', default: '10' },
        cidr: { type: 'string', default: '127.1.0.0/16' },
        port: { type: 'string', default: '4028' },
        seed: { type: 'string', default: '1' },
        mix: { type: 'string' },
        'http-port': { type: 'string' },
        'reboot-ms': { type: 'string' },
        'control-fail-pct': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (cause) {
    throw new SimulatorError('SIMULATOR_BAD_ARGS', (cause as Error).message, { cause });
  }
  const count = integer(values, 'count', 1, 65_534);
  const port = integer(values, 'port', 1, 65_535);
  const options: CliOptions = {
    help: values.help === true,
    hosts: loopbackHosts(String(values.cidr), count),
    port,
    seed: integer(values, 'seed', 0, 2 ** 32 - 1),
  };
  if (values.mix !== undefined) options.mix = parseMix(String(values.mix));
  if (values['reboot-ms'] !== undefined) options.rebootMs = integer(values, 'reboot-ms', 0, 3_600_000);
  if (values['control-fail-pct'] !== undefined) {
    options.controlFailPct = integer(values, 'control-fail-pct', 0, 100);
  }
  if (values['http-port'] !== undefined) {
    options.httpPort = integer(values, 'http-port', 1, 65_535);
    if (options.httpPort === port) {
      throw new SimulatorError('SIMULATOR_BAD_ARGS', `--http-port must differ from --port (${port})`);
    }
  }
  return options;
}

function integer(values: Record<string, unknown>, name: string, min: number, max: number): number {
  const text = String(values[name]);
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= min && value <= max)) {
    throw new SimulatorError(
      'SIMULATOR_BAD_ARGS',
      `--${name} must be an integer from ${min} to ${max}, not ${text}`,
    );
  }
  return value;
}
