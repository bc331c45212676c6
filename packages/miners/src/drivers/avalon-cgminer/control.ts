import type { ControlOperation, MinerClients, PoolSetting } from '../../driver.js';
import { MinerError } from '../../errors.js';
import { expectConfirmation } from '../cgminer-family/index.js';

// Canaan's cgminer takes its controls as `ascset|0,<option>,<value>` (Canaan "Avalon A10 API manual", Avalon Q
// replies in the corpus). Code 119 "ASC 0 set OK" confirms a setting; Code 118 "ASC 0 set info: .." is an answer,
// which confirms only where it says "success".
const SET_OK = 119;
const SET_INFO = 118;

/** softoff/softon act at a time a few seconds ahead (the firmware's examples: now + 5 s). */
const SOFT_SWITCH_DELAY_S = 5;

/**
 * LED (`led,1-1` white on / `1-0` back to the status colour, Code 119), reboot (`reboot,0`, whose reply Canaan
 * does not document, so any non-error reply is taken) and sleep (`softoff` / `softon`, A12 and later and the
 * Avalon Q; older models refuse it). Pools: `setpool` with the miner's admin login writes pool 0 for the next boot
 * (see setPool). `workmode` means different things per model, so it is not offered.
 */
export async function controlAvalon(clients: MinerClients, operation: ControlOperation): Promise<void> {
  switch (operation.kind) {
    case 'led': {
      const reply = await clients.cgminer('ascset', `0,led,1-${operation.on ? 1 : 0}`);
      expectConfirmation(reply, 'ascset led', (status) => status.code === SET_OK);
      return;
    }
    case 'reboot':
      await clients.cgminer('ascset', '0,reboot,0');
      return;
    case 'sleep': {
      const option = operation.asleep ? 'softoff' : 'softon';
      const at = (await minerClock(clients)) + SOFT_SWITCH_DELAY_S;
      const reply = await clients.cgminer('ascset', `0,${option},1:${at}`);
      // The Avalon Q answers "ASC 0 set info: success softoff:<time>"; older builds may answer "set OK".
      expectConfirmation(
        reply,
        `ascset ${option}`,
        (status) =>
          status.code === SET_OK || (status.code === SET_INFO && status.msg.includes(`success ${option}`)),
      );
      return;
    }
    case 'set-pools':
      return setPool(clients, operation.pools);
    default:
      throw new MinerError('MINER_UNSUPPORTED', `Avalon cannot ${operation.kind} over the cgminer API`);
  }
}

/**
 * The miner's own time (`When` of its `version` reply), in seconds. softoff/softon are scheduled on that clock,
 * and an Avalon without NTP counts from boot (When 986 on the recorded A1566): our wall clock would schedule the
 * switch decades ahead.
 */
async function minerClock(clients: MinerClients): Promise<number> {
  const { when } = (await clients.cgminer('version')).status;
  if (!Number.isSafeInteger(when) || when <= 0 || when >= 2 ** 32) {
    throw new MinerError('MINER_BAD_REPLY', `version reply has no usable When: ${String(when).slice(0, 40)}`);
  }
  return when;
}

/**
 * `ascset|0,setpool,<admin>,<admin password>,<url>,<worker>,<worker password>` sets the first pool only, checked
 * against the web login, and answers Code 118 "pool success set to .. Please reboot miner to make config work"
 * (corpus `avalon/ascset_setpool.response.txt`). So: one pool, the admin login from the web credentials, then
 * `reboot,0` to apply it. The reply echoes the worker password: it is never quoted in an error.
 */
async function setPool(clients: MinerClients, pools: PoolSetting[]): Promise<void> {
  const [pool] = pools;
  if (pool === undefined || pools.length !== 1) {
    throw new MinerError('MINER_BAD_ARGUMENT', 'set-pools: an Avalon takes exactly one pool over its API');
  }
  const login = clients.adminLogin?.();
  if (login === undefined) throw new MinerError('MINER_AUTH_FAILED', `no admin login for ${clients.ip}`);
  if (/[\s,|]/.test(login.username) || /[\s,|]/.test(login.password)) {
    throw new MinerError(
      'MINER_BAD_ARGUMENT',
      'set-pools: the admin login cannot go into ascset (space, comma or |)',
    );
  }
  const reply = await clients.cgminer(
    'ascset',
    ['0', 'setpool', login.username, login.password, pool.url, pool.user, pool.password].join(','),
  );
  const { code, msg } = reply.status;
  if (code !== SET_INFO || !/pool success set/i.test(msg)) {
    throw new MinerError('MINER_COMMAND_FAILED', `'ascset setpool' was not confirmed: Code ${code}`);
  }
  await clients.cgminer('ascset', '0,reboot,0');
}
