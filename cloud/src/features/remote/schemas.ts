import { successSchema } from '../../http/envelope.js';
import { LEGACY_COMMANDS } from './mapping.js';

// The legacy remote-control API (HashInsight Remote "v1 poll/ack"), mapped onto /api/commands:
//   enable -> wake, disable -> power_mode {mode: sleep}, restart -> restart_mining, reboot -> reboot,
//   set_pool {url|pool_url, user|worker, password?} -> set_pools with that one pool;
//   set_fan, set_frequency -> 400 REMOTE_UNSUPPORTED.
// Results: status completed (result_code 0: the effect was observed), failed (1: failed, timed out or refused;
// 3: cancelled or expired, never executed) or pending (2). Approval, rollout, expiry and audit are the command
// service's, exactly as for /api/commands.

const minerId = { type: 'string', minLength: 1, maxLength: 128 } as const;

export const legacyCreateBody = {
  type: 'object',
  required: ['miner_id', 'command'],
  additionalProperties: false,
  properties: {
    /** The miner id as the fleet API shows it. */
    miner_id: minerId,
    command: { type: 'string', enum: LEGACY_COMMANDS },
    /** set_pool: { url, user, password? } (pool_url and worker accepted as the old names). */
    params: {
      type: 'object',
      additionalProperties: false,
      maxProperties: 5,
      properties: {
        url: { type: 'string', minLength: 1, maxLength: 255 },
        pool_url: { type: 'string', minLength: 1, maxLength: 255 },
        user: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' },
        worker: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' },
        password: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x20-\\x7e]+$' },
      },
    },
  },
} as const;

export interface LegacyCreateBody {
  miner_id: string;
  command: (typeof LEGACY_COMMANDS)[number];
  params?: Record<string, unknown>;
}

export const legacyIdParams = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;

export const legacyListQuery = {
  type: 'object',
  required: ['miner_id'],
  additionalProperties: false,
  properties: { miner_id: minerId },
} as const;

const legacyCommand = {
  type: 'object',
  required: ['id', 'miner_id', 'command', 'status', 'result_code', 'result_message', 'created_at'],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    miner_id: { type: 'string' },
    /** The legacy name, or the command service's type for commands made through /api/commands. */
    command: { type: 'string' },
    status: { type: 'string', enum: ['completed', 'failed', 'pending'] },
    result_code: { type: 'integer', enum: [0, 1, 2, 3] },
    result_message: { type: 'string' },
    created_at: { type: 'string', format: 'date-time' },
  },
} as const;

export const legacyResponse = successSchema(legacyCommand);
export const legacyListResponse = successSchema({
  type: 'object',
  required: ['commands'],
  additionalProperties: false,
  properties: { commands: { type: 'array', items: legacyCommand } },
});
