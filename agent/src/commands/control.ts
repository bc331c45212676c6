import {
  type ControlOperation,
  checkLogin,
  connectClients,
  control,
  type Driver,
  driverById,
  type MinerClients,
  MinerError,
  type Reading,
} from '@hashinsight/miners';
import type { MinerLogin } from '@hashinsight/vault';

/** The miner a command target resolves to, from the inventory. */
export interface ControlTarget {
  minerId: string;
  ip: string;
  /** cgminer API port. */
  port: number;
  /** Id of the driver that identified it. */
  driver: string;
}

/** Performs one control operation on one miner; rejects with a MinerError (or another Error) when it fails. */
export type MinerControl = (
  target: ControlTarget,
  operation: ControlOperation,
  login?: MinerLogin,
) => Promise<void>;

/** Looks at a miner after a command, to see its effect. */
export interface MinerObserver {
  /** One reading through the miner's driver. */
  read(target: ControlTarget, login?: MinerLogin): Promise<Reading>;
  /** Resolves when the miner accepts `login` (a call that changes nothing); MINER_AUTH_FAILED when it refuses it. */
  checkLogin(target: ControlTarget, login: MinerLogin): Promise<void>;
}

export interface MinerControlOptions {
  /** Web port of the miners (CGI, token APIs); default 80. */
  webPort?: number;
  /** Deadline of one request to a miner; default 10 s (some firmware restarts cgminer before answering). */
  timeoutMs?: number;
}

/** The driver known for the miner and clients over the real transports, with the login if any. */
function connect(
  target: ControlTarget,
  login: MinerLogin | undefined,
  options: MinerControlOptions,
): { driver: Driver; clients: MinerClients } {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const driver = driverById(target.driver);
  if (driver === undefined) {
    throw new MinerError('MINER_UNIDENTIFIED', `no driver ${JSON.stringify(target.driver.slice(0, 64))}`);
  }
  const clients = connectClients(target.ip, {
    port: target.port,
    timeoutMs,
    ...(login ? { web: { port: options.webPort ?? 80, credentials: login, timeoutMs } } : {}),
  });
  return { driver, clients };
}

/** Control through packages/miners: the driver known for the miner, the real transports, the login if any. */
export function minerControl(options: MinerControlOptions = {}): MinerControl {
  return async (target, operation, login) => {
    const { driver, clients } = connect(target, login, options);
    await control(driver, clients, operation);
  };
}

/** Readings and login checks through the same drivers and transports as minerControl. */
export function minerObserver(options: MinerControlOptions = {}): MinerObserver {
  return {
    read: async (target, login) => {
      const { driver, clients } = connect(target, login, options);
      return driver.read(clients);
    },
    checkLogin: async (target, login) => {
      const { driver, clients } = connect(target, login, options);
      await checkLogin(driver, clients);
    },
  };
}
