import { parseCliArgs, USAGE } from './args.js';
import { SimulatorError } from './errors.js';
import { startFleet } from './fleet.js';

/** Runs a fleet of virtual miners until SIGINT or SIGTERM. Exit codes: 0 stopped, 1 could not start, 2 bad args. */
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
  const { hosts, port, seed } = options;
  const fleet = await startFleet({ ips: hosts, port, seed }).catch((error: Error) => {
    process.stderr.write(
      `simulator: ${error.message}${error.cause instanceof Error ? `: ${error.cause.message}` : ''}\n`,
    );
  });
  if (fleet === undefined) return 1;
  const stop = () => void fleet.close();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const miners = hosts.length === 1 ? '1 miner' : `${hosts.length} miners`;
  process.stdout.write(`simulator ready: ${miners} on ${hosts[0]}-${hosts.at(-1)} port ${port}\n`);
  // The process exits by itself, with code 0, once the fleet has closed and nothing is left to wait for.
  return undefined;
}

process.exitCode = await main(process.argv.slice(2));
