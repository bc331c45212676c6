import type { ControlOperation } from '../../driver.js';
import { MinerError } from '../../errors.js';

/** One btminer privileged command: `cmd` and its parameters, every value a string as MicroBT's API wants. */
export interface PrivilegedCommand {
  cmd: string;
  params: Record<string, string>;
}

/** btminer keeps three pool slots; an empty URL leaves a slot unused. */
const POOL_SLOTS = 3;

const POWER_MODE = { low: 'set_low_power', normal: 'set_normal_power', high: 'set_high_power' } as const;

/**
 * The btminer API v2 command for a control operation (WhatsMiner API 2.0.5 §3, pyasic `BTMinerRPCAPI`). The LED
 * blinks red as a locator (2 s cycle, 1 s lit) and `param: auto` hands it back to the firmware. `power_off` with
 * `respbefore` answers before the hash boards go down, so the reply is not lost with them.
 */
export function privilegedCommand(operation: ControlOperation): PrivilegedCommand {
  switch (operation.kind) {
    case 'reboot':
      return { cmd: 'reboot', params: {} };
    case 'restart-mining':
      return { cmd: 'restart_btminer', params: {} };
    case 'set-pools': {
      const params: Record<string, string> = {};
      for (let slot = 1; slot <= POOL_SLOTS; slot++) {
        const pool = operation.pools[slot - 1];
        params[`pool${slot}`] = pool?.url ?? '';
        params[`worker${slot}`] = pool?.user ?? '';
        params[`passwd${slot}`] = pool?.password ?? '';
      }
      return { cmd: 'update_pools', params };
    }
    case 'led':
      return operation.on
        ? { cmd: 'set_led', params: { color: 'red', period: '2000', duration: '1000', start: '0' } }
        : { cmd: 'set_led', params: { param: 'auto' } };
    case 'power-mode':
      return { cmd: POWER_MODE[operation.mode], params: {} };
    case 'power-limit':
      return { cmd: 'adjust_power_limit', params: { power_limit: String(operation.watts) } };
    case 'sleep':
      return operation.asleep
        ? { cmd: 'power_off', params: { respbefore: 'true' } }
        : { cmd: 'power_on', params: {} };
    case 'set-login':
      throw new MinerError('MINER_BAD_ARGUMENT', 'set-login needs the current password (see loginCommand)');
  }
}

/** btminer takes at most 8 bytes of letters and digits as the admin password (pyasic `update_pwd`). */
const ADMIN_PASSWORD = /^[A-Za-z0-9]{1,8}$/;

/**
 * `update_pwd` (API 2.0.5): the current admin password as a check and the new one. btminer has one user (admin),
 * so the login's username is not sent anywhere.
 */
export function loginCommand(current: string, next: string): PrivilegedCommand {
  if (!ADMIN_PASSWORD.test(next)) {
    throw new MinerError('MINER_BAD_ARGUMENT', 'a btminer admin password is 1-8 letters or digits');
  }
  return { cmd: 'update_pwd', params: { old: current, new: next } };
}
