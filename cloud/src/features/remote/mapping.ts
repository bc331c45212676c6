import { AppError } from '../../http/errors.js';

// The legacy remote-control calls (the original design's HashInsight Remote "v1 poll/ack" style) in terms of the
// command service. Pure: the routes create and read real commands.

/** Commands the legacy API named; set_fan and set_frequency have no counterpart and are refused. */
export const LEGACY_COMMANDS = [
  'enable',
  'disable',
  'restart',
  'reboot',
  'set_pool',
  'set_fan',
  'set_frequency',
] as const;
export type LegacyCommand = (typeof LEGACY_COMMANDS)[number];

export const unsupported = (command: string) =>
  new AppError(
    'REMOTE_UNSUPPORTED',
    400,
    `${command} has no equivalent in the command service (supported: enable, disable, restart, reboot, set_pool)`,
  );
export const paramsInvalid = (message: string) => new AppError('REMOTE_PARAMS_INVALID', 400, message);

export interface MappedCommand {
  type: 'wake' | 'power_mode' | 'restart_mining' | 'reboot' | 'set_pools';
  params: Record<string, unknown>;
}

/** enable→wake, disable→power_mode sleep, restart→restart_mining, reboot→reboot, set_pool→set_pools (one pool). */
export function mapLegacy(command: LegacyCommand, params: Record<string, unknown>): MappedCommand {
  switch (command) {
    case 'enable':
      return { type: 'wake', params: {} };
    case 'disable':
      return { type: 'power_mode', params: { mode: 'sleep' } };
    case 'restart':
      return { type: 'restart_mining', params: {} };
    case 'reboot':
      return { type: 'reboot', params: {} };
    case 'set_pool': {
      const url = params.url ?? params.pool_url;
      const user = params.user ?? params.worker;
      if (typeof url !== 'string' || typeof user !== 'string') {
        throw paramsInvalid('set_pool needs params.url (or pool_url) and params.user (or worker)');
      }
      const password = params.password;
      if (password !== undefined && typeof password !== 'string')
        throw paramsInvalid('params.password must be a string');
      return { type: 'set_pools', params: { pools: [{ url, user, ...(password ? { password } : {}) }] } };
    }
    case 'set_fan':
    case 'set_frequency':
      throw unsupported(command);
  }
}

/** The legacy result of one target: status completed|failed|pending and result_code 0/1/2/3. */
export interface LegacyResult {
  status: 'completed' | 'failed' | 'pending';
  /** 0 completed (effect observed), 1 failed (failed, timed out or refused by the agent), 2 pending, 3 not executed (cancelled or expired). */
  result_code: 0 | 1 | 2 | 3;
  result_message: string;
}

export function legacyResult(state: string, reason: string, errorCode: string): LegacyResult {
  const detail = [errorCode, reason].filter((part) => part !== '').join(': ');
  switch (state) {
    case 'succeeded':
      return { status: 'completed', result_code: 0, result_message: 'completed' };
    case 'failed':
    case 'timed_out':
    case 'rejected':
      return { status: 'failed', result_code: 1, result_message: detail || state };
    case 'cancelled':
    case 'expired':
      return { status: 'failed', result_code: 3, result_message: detail || `${state}: not executed` };
    default:
      return { status: 'pending', result_code: 2, result_message: state };
  }
}
