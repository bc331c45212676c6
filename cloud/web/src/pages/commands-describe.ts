import type { MessageKey, t as translateFn } from '../i18n';
import type { CommandStatus, CommandType, OverallState, TargetState, TargetsSpec } from './commands-types';

// Words for commands: the labels of types and states, and what exactly a command will do, in the reader's
// language. Pure (the translate function is passed in), so the approval page and the tests read the same text.

type T = typeof translateFn;

export const TYPE_LABEL: Record<CommandType, MessageKey> = {
  reboot: 'commands.typeReboot',
  restart_mining: 'commands.typeRestartMining',
  set_pools: 'commands.typeSetPools',
  led: 'commands.typeLed',
  power_mode: 'commands.typePowerMode',
  power_limit_w: 'commands.typePowerLimit',
  wake: 'commands.typeWake',
  update_credentials: 'commands.typeUpdateCredentials',
};

export const TARGET_STATE_LABEL: Record<TargetState, MessageKey> = {
  queued: 'commands.stateQueued',
  dispatched: 'commands.stateDispatched',
  received: 'commands.stateReceived',
  running: 'commands.stateRunning',
  succeeded: 'commands.stateSucceeded',
  failed: 'commands.stateFailed',
  timed_out: 'commands.stateTimedOut',
  rejected: 'commands.stateRejected',
  cancelled: 'commands.stateCancelled',
  expired: 'commands.stateExpired',
};

export const OVERALL_STATE_LABEL: Record<OverallState, MessageKey> = {
  awaiting_approval: 'commands.stateAwaitingApproval',
  scheduled: 'commands.stateScheduled',
  queued: 'commands.stateQueued',
  in_progress: 'commands.stateInProgress',
  succeeded: 'commands.stateSucceeded',
  partially_succeeded: 'commands.statePartiallySucceeded',
  failed: 'commands.stateFailed',
  cancelled: 'commands.stateCancelled',
  aborted: 'commands.stateAborted',
  expired: 'commands.stateExpired',
};

export const STATUS_LABEL: Record<CommandStatus, MessageKey> = {
  awaiting_approval: 'commands.stateAwaitingApproval',
  active: 'commands.statusActive',
  finished: 'commands.statusFinished',
  cancelled: 'commands.stateCancelled',
  aborted: 'commands.stateAborted',
  expired: 'commands.stateExpired',
};

const POWER_MODE_LABEL: Record<string, MessageKey> = {
  sleep: 'commands.modeSleep',
  low: 'commands.modeLow',
  normal: 'commands.modeNormal',
  high: 'commands.modeHigh',
};

/** The fleet list's filters (GET /api/miners) a command may be aimed with. */
const FILTER_LABEL: Record<string, MessageKey> = {
  siteId: 'commands.filterSite',
  customerId: 'commands.filterCustomer',
  agentId: 'commands.filterAgent',
  model: 'commands.filterModel',
  status: 'commands.filterMinerStatus',
  q: 'commands.filterSearch',
};

/** The message for a count: English says "1 miner" but "2 miners"; other languages read the same text twice. */
export const byCount = (n: number, one: MessageKey, other: MessageKey): MessageKey => (n === 1 ? one : other);

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/**
 * One line per setting the command applies, secrets left out: a pool password is only said to be set (the API
 * shows a vault reference, never the password).
 */
export function describeParams(
  type: CommandType,
  params: Record<string, unknown> | undefined,
  t: T,
): string[] {
  const p = params ?? {};
  switch (type) {
    case 'set_pools': {
      const pools = Array.isArray(p.pools) ? (p.pools as Record<string, unknown>[]) : [];
      return pools.map((pool, index) =>
        t(pool.password === undefined ? 'commands.describePool' : 'commands.describePoolWithPassword', {
          n: index + 1,
          url: text(pool.url),
          user: text(pool.user),
        }),
      );
    }
    case 'led': {
      const on = p.on === true;
      const seconds = typeof p.durationS === 'number' ? p.durationS : 0;
      if (!on) return [t('commands.describeLedOff')];
      return [seconds > 0 ? t('commands.describeLedOnFor', { s: seconds }) : t('commands.describeLedOn')];
    }
    case 'power_mode': {
      const mode = POWER_MODE_LABEL[text(p.mode)];
      return [t('commands.describePowerMode', { mode: mode === undefined ? text(p.mode) : t(mode) })];
    }
    case 'power_limit_w':
      return [t('commands.describePowerLimit', { w: typeof p.watts === 'number' ? p.watts : '?' })];
    case 'update_credentials': {
      const purpose = p.purpose === 'api' ? t('commands.purposeApi') : t('commands.purposeWeb');
      const generated = p.generated === true || p.generate === true;
      return [
        t(generated ? 'commands.describeLoginGenerated' : 'commands.describeLoginSet', {
          purpose,
          user: text(p.username),
        }),
      ];
    }
    default:
      return [t('commands.describeNoParams')];
  }
}

/** Which miners, in words: "Every miner of site Rack A", "12 selected miners", "Miners matching status: offline". */
export function describeTargets(
  spec: TargetsSpec | undefined,
  siteName: (id: string) => string | undefined,
  t: T,
): string {
  if (spec === undefined) return '';
  if ('siteId' in spec) return t('commands.targetsSite', { site: siteName(spec.siteId) ?? spec.siteId });
  if ('filter' in spec) {
    const parts = Object.entries(spec.filter).map(([key, value]) => {
      const label = FILTER_LABEL[key];
      return `${label === undefined ? key : t(label)}: ${key === 'siteId' ? (siteName(value) ?? value) : value}`;
    });
    return t('commands.targetsFilter', { filter: parts.join(', ') });
  }
  const n = 'miners' in spec ? spec.miners.length : spec.minerIds.length;
  return t(byCount(n, 'commands.targetsMinersOne', 'commands.targetsMiners'), { n });
}

/** The canonical hash as a person compares it: its first 12 and last 4 hex digits. */
export const shortHash = (hash: string): string =>
  hash.length > 20 ? `${hash.slice(0, 12)}…${hash.slice(-4)}` : hash;

/** Who a user id is: "you", their email when the console knows it, else the id itself. */
export function personLabel(
  userId: string | null | undefined,
  me: string,
  emails: ReadonlyMap<string, string>,
  t: T,
): string {
  if (userId === null || userId === undefined || userId === '') return t('commands.nobody');
  if (userId === me) return t('commands.you');
  return emails.get(userId) ?? userId;
}
