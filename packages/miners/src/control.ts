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

/**
 * Proves that the login in `clients` opens the miner, with a call that changes nothing. MINER_UNSUPPORTED for a
 * driver that cannot tell (it has no `checkLogin`).
 */
export async function checkLogin(driver: Driver, clients: MinerClients): Promise<void> {
  if (driver.checkLogin === undefined) {
    throw new MinerError('MINER_UNSUPPORTED', `${driver.name} cannot check a login`);
  }
  await driver.checkLogin(clients);
}

/** Printable characters only: firmware stores logins in shell-read files and HTTP headers. */
const LOGIN_TEXT = /^[\x21-\x7e]+$/;

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
    case 'set-login':
      if (operation.username.length > 64 || !LOGIN_TEXT.test(operation.username))
        return 'a username is 1-64 printable characters without spaces';
      if (operation.password.length > 128 || !LOGIN_TEXT.test(operation.password))
        return 'a password is 1-128 printable characters without spaces';
      return undefined;
    default:
      return undefined;
  }
}
