import {
  type ConnectOptions,
  connectClients,
  type Driver,
  driverById,
  identify,
  MinerError,
} from '@hashinsight/miners';
import type { MinerLogin } from '@hashinsight/vault';
import type { ReadMiner } from './poller.js';

/** The miners' sealed logins, for drivers that read through a login (token web APIs). */
export interface PollLogins {
  /** Web port of the miners; default 80. */
  webPort?: number;
  /** Runs `call` with the miner's login opened for it (see commands/logins.ts); absent: no logins. */
  logins?: {
    withLogin<T>(
      minerId: string,
      driverId: string | undefined,
      call: (login: MinerLogin | undefined) => Promise<T>,
    ): Promise<T>;
  };
}

/**
 * Reads each miner through the driver the inventory names (no identification request), else identifies it first.
 * A reply the driver cannot read sends the miner back through identification next time: its firmware may have
 * changed. For a driver that reads through a login (`readsWithLogin`) the miner's sealed login is opened for the
 * read and not kept; for the others (every driver today: they read over the cgminer API) none is opened.
 */
export function driverReader(options: ConnectOptions, access: PollLogins = {}): ReadMiner {
  const learned = new Map<string, Driver>();
  const suspect = new Set<string>();
  const { logins, webPort = 80 } = access;
  const connect = (ip: string, port: number, login?: MinerLogin) =>
    connectClients(ip, {
      ...options,
      port,
      ...(login ? { web: { port: webPort, credentials: login, timeoutMs: options.timeoutMs } } : {}),
    });
  return async (target) => {
    let driver = suspect.has(target.minerId)
      ? undefined
      : (learned.get(target.minerId) ??
        (target.driver === undefined ? undefined : driverById(target.driver)));
    if (driver === undefined) {
      driver = (await identify(connect(target.ip, target.port))).driver;
      suspect.delete(target.minerId);
      learned.set(target.minerId, driver);
    }
    const chosen = driver;
    try {
      const reading =
        chosen.readsWithLogin && logins
          ? await logins.withLogin(target.minerId, chosen.id, (login) =>
              chosen.read(connect(target.ip, target.port, login)),
            )
          : await chosen.read(connect(target.ip, target.port));
      return { reading, driver: chosen.id };
    } catch (error) {
      if (error instanceof MinerError && ['MINER_BAD_REPLY', 'MINER_COMMAND_FAILED'].includes(error.code)) {
        suspect.add(target.minerId);
      }
      throw error;
    }
  };
}
