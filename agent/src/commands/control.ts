import { type ControlOperation, connectClients, control, driverById, MinerError } from '@hashinsight/miners';
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

export interface MinerControlOptions {
  /** Web port of the miners (CGI, token APIs); default 80. */
  webPort?: number;
  /** Deadline of one request to a miner; default 10 s (some firmware restarts cgminer before answering). */
  timeoutMs?: number;
}

/** Control through packages/miners: the driver known for the miner, the real transports, the login if any. */
export function minerControl(options: MinerControlOptions = {}): MinerControl {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return async (target, operation, login) => {
    const driver = driverById(target.driver);
    if (driver === undefined) {
      throw new MinerError('MINER_UNIDENTIFIED', `no driver ${JSON.stringify(target.driver.slice(0, 64))}`);
    }
    const clients = connectClients(target.ip, {
      port: target.port,
      timeoutMs,
      ...(login ? { web: { port: options.webPort ?? 80, credentials: login, timeoutMs } } : {}),
    });
    await control(driver, clients, operation);
  };
}
