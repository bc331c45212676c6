import type { MessageKey } from '../i18n';
import type { CommandTargets, CommandType, PowerMode } from './commands-types';

// The composer's form as plain data, and the POST /api/commands body it makes. Checks here are the ones a form
// should catch before a round trip (required fields, whole numbers in range); the cloud validates everything
// again (pool URLs, firmware password rules) and the preview shows its message.

export interface PoolFields {
  url: string;
  user: string;
  /** Sent once to the vault; never shown again (a preview or a command only names a vault reference). */
  password: string;
}

export interface ComposerForm {
  type: CommandType;
  pools: PoolFields[];
  ledOn: boolean;
  /** Seconds, as typed; '' = stays as set. */
  ledDurationS: string;
  powerMode: PowerMode;
  powerLimitW: string;
  loginPurpose: 'web' | 'api';
  loginUsername: string;
  loginPassword: string;
  loginGenerate: boolean;
  /** Minutes, as typed; '' = the cloud's default (60). */
  expiresInMinutes: string;
  rolloutPerMinute: string;
  abortThresholdPct: string;
}

export const MAX_POOLS = 3;

export const emptyPool = (): PoolFields => ({ url: '', user: '', password: '' });

export function initialForm(): ComposerForm {
  return {
    type: 'reboot',
    pools: [emptyPool()],
    ledOn: true,
    ledDurationS: '',
    powerMode: 'normal',
    powerLimitW: '',
    loginPurpose: 'web',
    loginUsername: '',
    loginPassword: '',
    loginGenerate: true,
    expiresInMinutes: '',
    rolloutPerMinute: '',
    abortThresholdPct: '',
  };
}

/** A field the form must fix first: its id in the form and the message to show beside it. */
export interface FormProblem {
  field: string;
  message: MessageKey;
  vars?: Record<string, string | number>;
}

export interface CreateBody {
  type: CommandType;
  targets: CommandTargets;
  params?: Record<string, unknown>;
  expiresInSeconds?: number;
  rollout?: { perMinute?: number; abortThresholdPct?: number };
}

/** A whole number in [min, max] typed in `text`; '' when left empty, a problem otherwise. */
function wholeNumber(
  text: string,
  field: string,
  min: number,
  max: number,
  problems: FormProblem[],
): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const value = Number(trimmed);
  if (!/^\d+$/.test(trimmed) || value < min || value > max) {
    problems.push({ field, message: 'commands.problemRange', vars: { min, max } });
    return undefined;
  }
  return value;
}

function required(text: string, field: string, problems: FormProblem[]): string {
  const trimmed = text.trim();
  if (trimmed === '') problems.push({ field, message: 'commands.problemRequired' });
  return trimmed;
}

function paramsOf(form: ComposerForm, problems: FormProblem[]): Record<string, unknown> | undefined {
  switch (form.type) {
    case 'reboot':
    case 'restart_mining':
    case 'wake':
      return undefined;
    case 'set_pools':
      return {
        pools: form.pools.slice(0, MAX_POOLS).map((pool, index) => {
          const url = required(pool.url, `pool-${index}-url`, problems);
          const user = required(pool.user, `pool-${index}-user`, problems);
          // A password is optional (many pools ignore it); it is sent as typed, spaces included.
          return pool.password === '' ? { url, user } : { url, user, password: pool.password };
        }),
      };
    case 'led': {
      const durationS = wholeNumber(form.ledDurationS, 'led-duration', 0, 86_400, problems);
      return durationS === undefined ? { on: form.ledOn } : { on: form.ledOn, durationS };
    }
    case 'power_mode':
      return { mode: form.powerMode };
    case 'power_limit_w': {
      if (form.powerLimitW.trim() === '') {
        problems.push({ field: 'power-limit', message: 'commands.problemRequired' });
        return undefined;
      }
      return { watts: wholeNumber(form.powerLimitW, 'power-limit', 100, 20_000, problems) };
    }
    case 'update_credentials': {
      const username = required(form.loginUsername, 'login-username', problems);
      if (form.loginGenerate) return { purpose: form.loginPurpose, username, generate: true };
      if (form.loginPassword === '') {
        problems.push({ field: 'login-password', message: 'commands.problemRequired' });
      }
      return { purpose: form.loginPurpose, username, password: form.loginPassword };
    }
  }
}

/** The body for POST /api/commands (and its preview), or what to fix first. */
export function buildCreateBody(
  form: ComposerForm,
  targets: CommandTargets,
): { body: CreateBody; problems: [] } | { body?: undefined; problems: FormProblem[] } {
  const problems: FormProblem[] = [];
  const params = paramsOf(form, problems);
  const expiresMinutes = wholeNumber(form.expiresInMinutes, 'expires', 1, 7 * 24 * 60, problems);
  const perMinute = wholeNumber(form.rolloutPerMinute, 'rollout-per-minute', 1, 10_000, problems);
  const abortThresholdPct = wholeNumber(form.abortThresholdPct, 'abort-threshold', 1, 100, problems);
  if (problems.length > 0) return { problems };
  const rollout = {
    ...(perMinute === undefined ? {} : { perMinute }),
    ...(abortThresholdPct === undefined ? {} : { abortThresholdPct }),
  };
  return {
    body: {
      type: form.type,
      targets,
      ...(params === undefined ? {} : { params }),
      ...(expiresMinutes === undefined ? {} : { expiresInSeconds: expiresMinutes * 60 }),
      ...(Object.keys(rollout).length === 0 ? {} : { rollout }),
    },
    problems: [],
  };
}
