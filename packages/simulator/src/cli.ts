import { parseCliArgs, USAGE } from './args.js';
import { SimulatorError } from './errors.js';
import { checkOpenFiles, openFileLimit } from './fd-limit.js';
import { startFleet } from './fleet.js';
import { assignMix } from './mix.js';
import { PERSONALITY_NAMES } from './personalities/index.js';

/**
 * Runs a fleet of virtual miners until SIGINT or SIGTERM. Exit codes: 0 stopped, 1 could not start (the open-file
 * limit is too low, an address or port is taken), 2 bad arguments.
 */
async function main(argv: string[]): Promise<number | undefined> {
  let options: ReturnType<typeof parseCliArgs>;
  try {
    options = parseCliArgs(argv);
  } catch (error) {
    if (!(error instanceof SimulatorError)) throw error;
    process.stderr.write(`simulator: ${error.message}\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const { hosts, port, seed, mix, httpPort, rebootMs, controlFailPct } = options;
  const personalities = mix === undefined ? undefined : assignMix(mix, hosts.length);
  // One listener per miner, two for a stock Antminer serving its web CGI.
  const antminers = personalities?.filter((name) => name === 'antminer').length ?? hosts.length;
  try {
    checkOpenFiles(hosts.length + (httpPort === undefined ? 0 : antminers), openFileLimit());
  } catch (error) {
    if (!(error instanceof SimulatorError)) throw error;
    process.stderr.write(`simulator: ${error.message}\n`);
    return 1;
  }
  const fleet = await startFleet({
    ips: hosts,
    port,
    seed,
    ...(personalities === undefined ? {} : { personalities }),
    ...(httpPort === undefined ? {} : { httpPort }),
    ...(rebootMs === undefined ? {} : { rebootMs }),
    ...(controlFailPct === undefined ? {} : { controlFailPct }),
  }).catch((error: Error) => {
    process.stderr.write(
      `simulator: ${error.message}${error.cause instanceof Error ? `: ${error.cause.message}` : ''}\n`,
    );
  });
  if (fleet === undefined) return 1;
  const stop = () => void fleet.close();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const miners = hosts.length === 1 ? '1 miner' : `${hosts.length} miners`;
  const web = httpPort === undefined ? '' : `, web CGI on port ${httpPort}`;
  const shares =
    mix === undefined
      ? ''
      : ` (${PERSONALITY_NAMES.filter((name) => mix[name])
          .map((name) => `${name} ${mix[name]}%`)
          .join(', ')})`;
  process.stdout.write(
    `simulator ready: ${miners} on ${hosts[0]}-${hosts.at(-1)} port ${port}${web}${shares}\n`,
  );
  // The process exits by itself, with code 0, once the fleet has closed and nothing is left to wait for.
  return undefined;
}

process.exitCode = await main(process.argv.slice(2));
