import type { ControlOperation, Driver, MinerClients } from './driver.js';
import { MinerError } from './errors.js';

/**
 * Performs a control operation through a miner's driver. An operation the driver does not declare fails with
 * MINER_UNSUPPORTED before any request is sent; arguments out of range fail the same way, as MINER_BAD_ARGUMENT.
 */
export async function control(
  driver: Driver,
  clients: MinerClients,
  operation: ControlOperation,
): Promise<void> {
  if (!driver.capabilities.includes(operation.kind) || driver.control === undefined) {
    throw new MinerError('MINER_UNSUPPORTED', `${driver.name} cannot ${operation.kind}`);
  }
  const problem = argumentProblem(operation);
  if (problem) throw new MinerError('MINER_BAD_ARGUMENT', `${operation.kind}: ${problem}`);
  await driver.control(clients, operation);
}

// scheme://host:port and nothing else: the URL is passed to firmware that splits on commas and pipes.
const STRATUM_URL = /^stratum(\+(tcp|ssl|tls))?2?:\/\/([A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\]):\d{1,5}\/?$/;

function argumentProblem(operation: ControlOperation): string | undefined {
  switch (operation.kind) {
    case 'set-pools': {
      if (operation.pools.length < 1 || operation.pools.length > 3) return 'between 1 and 3 pools';
      for (const pool of operation.pools) {
        if (!STRATUM_URL.test(pool.url)) return `not a stratum URL: ${pool.url.slice(0, 80)}`;
        if (pool.user.length === 0 || pool.user.length > 256 || /[\s,|]/.test(pool.user))
          return 'a worker name is 1-256 characters without spaces, commas or |';
        if (pool.password.length > 256 || /[\s,|]/.test(pool.password))
          return 'a pool password is at most 256 characters without spaces, commas or |';
      }
      return undefined;
    }
    case 'power-limit':
      return Number.isInteger(operation.watts) && operation.watts >= 100 && operation.watts <= 20_000
        ? undefined
        : 'watts must be a whole number from 100 to 20000';
    default:
      return undefined;
  }
}
