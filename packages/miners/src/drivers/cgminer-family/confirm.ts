import { MinerError } from '../../errors.js';
import type { CgminerReply, CgminerStatus } from '../../transports/cgminer/index.js';

/**
 * Checks that the reply to a control command is the firmware's own confirmation of it. STATUS E and F already
 * failed in the transport; this catches an S or I reply that answers something else (Avalon's "set info" for an
 * option it ignores, another command's Code), which means the command was not carried out: MINER_COMMAND_FAILED
 * naming the command and the miner's Code and Msg, cut short because a miner may say anything.
 */
export function expectConfirmation(
  reply: CgminerReply,
  command: string,
  confirms: (status: CgminerStatus) => boolean,
): void {
  if (confirms(reply.status)) return;
  const { code, msg } = reply.status;
  throw new MinerError(
    'MINER_COMMAND_FAILED',
    `'${command}' was not confirmed: Code ${code}: ${JSON.stringify(msg.slice(0, 120))}`,
  );
}
