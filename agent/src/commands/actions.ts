import type { ControlOperation } from '@hashinsight/miners';
import { hashinsight } from '@hashinsight/protocol';

type Command = hashinsight.v1.Command;
const { PowerMode } = hashinsight.v1;

/** A target that fails before or instead of its miner call, with an AREA_REASON code. */
export class CommandFailure extends Error {
  override readonly name = 'CommandFailure';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The control operation a command asks of each of its miners. Pool passwords come from sealed credentials,
 * opened through `poolPassword` only now, when the call to the miner is about to be made.
 */
export function operationFor(
  command: Command,
  poolPassword: (credentialId: string) => string,
): ControlOperation {
  switch (command.action) {
    case 'reboot':
      return { kind: 'reboot' };
    case 'restartMining':
      return { kind: 'restart-mining' };
    case 'setPools':
      return {
        kind: 'set-pools',
        pools: (command.setPools?.pools ?? []).map((pool) => ({
          url: pool.url ?? '',
          user: pool.user ?? '',
          // The customary placeholder when the pool wants no password.
          password: pool.passwordCredentialId ? poolPassword(pool.passwordCredentialId) : 'x',
        })),
      };
    case 'setLed':
      return { kind: 'led', on: command.setLed?.on === true };
    case 'setPowerMode':
      switch (command.setPowerMode?.mode) {
        case PowerMode.POWER_MODE_LOW:
          return { kind: 'power-mode', mode: 'low' };
        case PowerMode.POWER_MODE_HIGH:
          return { kind: 'power-mode', mode: 'high' };
        case PowerMode.POWER_MODE_SLEEP:
          return { kind: 'sleep', asleep: true };
        case PowerMode.POWER_MODE_NORMAL:
          return { kind: 'power-mode', mode: 'normal' };
        default:
          throw new CommandFailure('COMMAND_INVALID', `unknown power mode ${command.setPowerMode?.mode}`);
      }
    case 'setPowerLimit':
      return { kind: 'power-limit', watts: command.setPowerLimit?.watts ?? 0 };
    case 'sleep':
      return { kind: 'sleep', asleep: true };
    case 'wake':
      return { kind: 'sleep', asleep: false };
    case 'updateCredentials':
      // No driver can set a miner's login yet (issue #6 adds it per firmware); the sealed login was checked first.
      throw new CommandFailure('MINER_UNSUPPORTED', 'no driver can change a miner login yet');
    default:
      throw new CommandFailure('COMMAND_INVALID', `unknown action ${String(command.action)}`);
  }
}
