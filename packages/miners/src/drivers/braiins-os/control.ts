import type { ControlOperation, MinerClients } from '../../driver.js';
import { MinerError } from '../../errors.js';
import { WebStatusError } from '../../transports/http/index.js';
import type { TokenCall, TokenReply } from '../../transports/token-http/index.js';
import { expectConfirmation } from '../cgminer-family/index.js';
import { BOS_PATH, BOS_REST } from './rest.js';

// BOSminer's own API commands (Braiins OS+ API docs): `pause` stops mining and power draw, answering Code 204;
// `resume` starts it again, Code 205. The open-source BOSminer's API is read-only: it refuses both.
const PAUSE = { command: 'pause', code: 204 } as const;
const RESUME = { command: 'resume', code: 205 } as const;

/** The one pool group we write: BOS mines the groups by quota, so one group means "these pools, in order". */
const GROUP = 'hashinsight';

/**
 * Sleep over the cgminer API (`pause`/`resume`, as every BOS+ since 0.2 has them); the rest over the REST API of
 * BOS ≥ 25.07 (rest.ts): pools (`PUT pools/batch`, persistent, unlike cgminer `addpool` which BOSminer forgets at
 * restart), reboot and restart (`PUT actions/*`), the locate LED (`PUT actions/locate` true/false) and the power
 * target (`PUT performance/power-target {watt}`). An older BOS has no REST API: its 404 is MINER_UNSUPPORTED.
 */
export async function controlBraiinsOs(clients: MinerClients, operation: ControlOperation): Promise<void> {
  if (operation.kind === 'sleep') {
    const { command, code } = operation.asleep ? PAUSE : RESUME;
    const reply = await clients.cgminer(command);
    expectConfirmation(reply, command, (status) => status.code === code);
    return;
  }
  switch (operation.kind) {
    case 'set-pools': {
      const pools = operation.pools.map(({ url, user, password }) => ({ url, user, password }));
      const group = { name: GROUP, pools, load_balance_strategy: { quota: { value: 1 } } };
      await rest(clients, { method: 'PUT', path: BOS_PATH.poolsBatch, body: [group] });
      return;
    }
    case 'reboot':
      await rest(clients, { method: 'PUT', path: BOS_PATH.reboot, dropMeansDone: true });
      return;
    case 'restart-mining':
      await rest(clients, { method: 'PUT', path: BOS_PATH.restart });
      return;
    case 'led': {
      // The reply is the locate state (corpus `braiins/rest-v1/actions_locate.json`): one that differs refused it.
      const { json } = await rest(clients, { method: 'PUT', path: BOS_PATH.locate, body: operation.on });
      if (typeof json === 'boolean' && json !== operation.on) {
        throw new MinerError('MINER_COMMAND_FAILED', `locate answered ${json} to ${operation.on}`);
      }
      return;
    }
    case 'power-limit':
      await rest(clients, { method: 'PUT', path: BOS_PATH.powerTarget, body: { watt: operation.watts } });
      return;
    default:
      throw new MinerError('MINER_UNSUPPORTED', `Braiins OS cannot ${operation.kind}`);
  }
}

async function rest(clients: MinerClients, call: TokenCall): Promise<TokenReply> {
  if (clients.tokenHttp === undefined) {
    throw new MinerError('MINER_UNSUPPORTED', `no token HTTP client for ${clients.ip}`);
  }
  try {
    return await clients.tokenHttp(BOS_REST, call);
  } catch (error) {
    if (error instanceof WebStatusError && error.status === 404) {
      throw new MinerError(
        'MINER_UNSUPPORTED',
        `${error.message} (a Braiins OS without the REST API, < 25.07)`,
      );
    }
    throw error;
  }
}
