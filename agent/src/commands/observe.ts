import type { Reading } from '@hashinsight/miners';
import { hashinsight } from '@hashinsight/protocol';

type Command = hashinsight.v1.Command;
const { PowerMode } = hashinsight.v1;

/**
 * What shows that a command worked on a miner, read back after the miner accepted it:
 * - `restarted` (reboot, restart_mining): the miner program started after the action (its uptime is shorter than
 *   the time since) and it hashes again;
 * - `pool` (set_pools): the first new pool is the active one;
 * - `asleep` (sleep, power mode sleep): read as sleeping; `hashing` (wake): hashing;
 * - `login` (update_credentials): a call with the new login is accepted (checked by the driver, not a reading);
 * - `acknowledged` (led, power mode low/normal/high, power limit): no reading of any driver reports these settings
 *   (Reading has no LED, mode or limit field; powerW is the draw, not the cap), so the miner's acceptance of the
 *   command is the effect.
 */
export type Expectation =
  | { kind: 'restarted' }
  | { kind: 'pool'; url: string }
  | { kind: 'asleep' }
  | { kind: 'hashing' }
  | { kind: 'login' }
  | { kind: 'acknowledged' };

export function expectationFor(command: Command): Expectation {
  switch (command.action) {
    case 'reboot':
    case 'restartMining':
      return { kind: 'restarted' };
    case 'setPools':
      return { kind: 'pool', url: command.setPools?.pools?.[0]?.url ?? '' };
    case 'sleep':
      return { kind: 'asleep' };
    case 'setPowerMode':
      return command.setPowerMode?.mode === PowerMode.POWER_MODE_SLEEP
        ? { kind: 'asleep' }
        : { kind: 'acknowledged' };
    case 'wake':
      return { kind: 'hashing' };
    case 'updateCredentials':
      return { kind: 'login' };
    default:
      return { kind: 'acknowledged' };
  }
}

const NOT_HASHING: ReadonlySet<Reading['status']> = new Set([
  'sleeping',
  'offline',
  'unreachable',
  'auth_failed',
]);

export const hashing = (reading: Reading) => reading.hashrateMhs > 0 && !NOT_HASHING.has(reading.status);

/**
 * Whether `reading` (taken at `nowMs`) shows the effect. A restart is proven when the miner's run started after the
 * action — uptime is whole seconds, so one more second than reported must still be shorter than the time since
 * it — or, with the uptime read just before the action (`baselineUptimeS`), when the run is younger than that one
 * would be by now: the old run, floored, is always more than (baseline + time since - 1) s old, so 1.5 s less
 * (half a second more for firmware that rounds) can only be a new run. Neither takes an old run for a new one; the
 * second also proves a restart within a second of the action (btminer restarts inside the command's answer), once
 * the miner had been up a second or more before it.
 */
export function effectSeen(
  expectation: Expectation,
  reading: Reading,
  actedMs: number,
  nowMs: number,
  baselineUptimeS?: number,
): boolean {
  switch (expectation.kind) {
    case 'restarted': {
      const afterAction = (reading.uptimeS + 1) * 1000 <= nowMs - actedMs;
      const youngerThanBefore =
        baselineUptimeS !== undefined &&
        (reading.uptimeS + 2) * 1000 < baselineUptimeS * 1000 + (nowMs - actedMs);
      return (afterAction || youngerThanBefore) && hashing(reading);
    }
    case 'pool':
      return reading.pools.some((pool) => pool.active && samePool(pool.url, expectation.url));
    case 'asleep':
      // What the drivers read a sleeping miner as (BOSminer cannot tell paused from stopped: offline). A zero rate
      // alone is not enough: every firmware reports one for a while after a restart.
      return reading.status === 'sleeping' || reading.status === 'offline';
    case 'hashing':
      return hashing(reading);
    case 'login':
    case 'acknowledged':
      return false;
  }
}

/** Firmware reports a pool URL with or without its scheme, in any case, maybe with a trailing slash. */
function samePool(reported: string, wanted: string): boolean {
  const bare = (url: string) =>
    url
      .trim()
      .toLowerCase()
      .replace(/^[a-z0-9+.-]+:\/\//, '')
      .replace(/\/$/, '');
  return wanted !== '' && bare(reported) === bare(wanted);
}
