import type { ControlOperation, MinerClients } from '../../driver.js';
import { MinerError } from '../../errors.js';
import { loginCommand, privilegedCommand } from './commands.js';

/** btminer restarts itself (and with it the API server) or the whole board on these: the reply may not come. */
const TAKES_THE_API_DOWN: ReadonlySet<string> = new Set(['reboot', 'restart_btminer']);

/**
 * Controls a Whatsminer through btminer's privileged API (transports/btminer): one encrypted command per
 * operation, accepted on Code 131. A reboot or btminer restart that drops the connection before answering
 * (MINER_EMPTY_REPLY, MINER_CONNECTION_RESET) went through: the miner is on its way down. A timeout is not
 * read as success: it cannot tell a reboot from a hung miner.
 */
export async function controlWhatsminer(clients: MinerClients, operation: ControlOperation): Promise<void> {
  if (clients.btminer === undefined) {
    throw new MinerError('MINER_UNSUPPORTED', `no btminer privileged client for ${clients.ip}`);
  }
  const { cmd, params } =
    operation.kind === 'set-login'
      ? loginCommand(clients.adminLogin?.().password ?? 'admin', operation.password)
      : privilegedCommand(operation);
  try {
    await clients.btminer(cmd, params);
  } catch (error) {
    const wentDown =
      error instanceof MinerError &&
      (error.code === 'MINER_EMPTY_REPLY' || error.code === 'MINER_CONNECTION_RESET');
    if (!(wentDown && TAKES_THE_API_DOWN.has(cmd))) throw error;
  }
}

/**
 * Proves the admin password with a privileged read (`get_miner_info` through the encrypted channel): a token
 * signed with a wrong password is refused (Code 23 or 135, MINER_AUTH_FAILED), and nothing changes.
 */
export async function checkWhatsminerLogin(clients: MinerClients): Promise<void> {
  if (clients.btminer === undefined) {
    throw new MinerError('MINER_UNSUPPORTED', `no btminer privileged client for ${clients.ip}`);
  }
  await clients.btminer('get_miner_info', { info: 'ip,mac' });
}
