import type { ControlOperation, MinerClients } from '../../driver.js';
import { MinerError } from '../../errors.js';
import { expectConfirmation } from '../cgminer-family/index.js';
import { withSession } from './session.js';

/** One LUXminer write: its command, what follows the session id, and its success Code where LuxOS documents one. */
interface LuxosWrite {
  command: string;
  action?: string;
  code?: number;
  /** The command takes the session along (device reboot, LUXminer restart), so there is none left to free. */
  endsSession: boolean;
}

/** `curtail` answers Code 335 "Curtailment command sent". */
const CURTAILED = 335;

function writeFor(operation: ControlOperation): LuxosWrite {
  switch (operation.kind) {
    case 'reboot':
      return { command: 'rebootdevice', endsSession: true };
    case 'restart-mining':
      return { command: 'resetminer', endsSession: true };
    case 'led':
      return { command: 'ledset', action: operation.on ? 'red,blink' : 'red,off', endsSession: false };
    case 'sleep':
      return {
        command: 'curtail',
        action: operation.asleep ? 'sleep' : 'wakeup',
        code: CURTAILED,
        endsSession: false,
      };
    default:
      throw new MinerError('MINER_UNSUPPORTED', `LuxOS cannot ${operation.kind} over the cgminer API`);
  }
}

/**
 * LuxOS writes over the cgminer API, each with a session id as its first parameter (see session.ts): device
 * reboot, LUXminer restart, the red LED blinking as a locator, and curtailment sleep/wakeup. Pools sit in LuxOS
 * pool groups (`addgroup`/`addpool`/`removepool`), with no recorded replies to build a replacement against, so
 * they are not offered yet.
 */
export async function controlLuxos(clients: MinerClients, operation: ControlOperation): Promise<void> {
  const write = writeFor(operation);
  await withSession(clients, write.endsSession, async (session) => {
    const parameter = write.action === undefined ? session : `${session},${write.action}`;
    const reply = await clients.cgminer(write.command, parameter);
    const { code } = write;
    if (code !== undefined) expectConfirmation(reply, write.command, (status) => status.code === code);
  });
}
