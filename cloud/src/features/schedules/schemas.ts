import { successSchema } from '../../http/envelope.js';
import { createCommandBody } from '../commands/index.js';

// A schedule's command template is the body of POST /api/commands (same schema, so the same checks) without
// `schedule`, and with `targets` optional: omitted, the command targets every miner of the schedule's site; a
// filter is always narrowed to that site; named miners must belong to it.

const { schedule: _schedule, ...commandProperties } = createCommandBody.properties;

export const commandTemplate = {
  ...createCommandBody,
  required: ['type'],
  properties: {
    ...commandProperties,
    targets: {
      ...createCommandBody.properties.targets,
      properties: {
        minerIds: createCommandBody.properties.targets.properties.minerIds,
        miners: createCommandBody.properties.targets.properties.miners,
        filter: createCommandBody.properties.targets.properties.filter,
      },
    },
  },
} as const;

const objectId = { type: 'string', minLength: 1, maxLength: 64 } as const;

export const siteParams = {
  type: 'object',
  required: ['siteId'],
  additionalProperties: false,
  properties: { siteId: objectId },
} as const;

export const scheduleParams = {
  type: 'object',
  required: ['siteId', 'id'],
  additionalProperties: false,
  properties: { siteId: objectId, id: objectId },
} as const;

const fields = {
  /** Printable text (no control characters), not only spaces. */
  name: { type: 'string', minLength: 1, maxLength: 100, pattern: '^(?=.*\\S)[^\\x00-\\x1f\\x7f]+$' },
  /** Five cron fields (minute hour day-of-month month day-of-week), in the site's time zone. */
  cron: { type: 'string', minLength: 9, maxLength: 120 },
  enabled: { type: 'boolean' },
  command: commandTemplate,
} as const;

export const createScheduleBody = {
  type: 'object',
  required: ['name', 'cron', 'command'],
  additionalProperties: false,
  properties: fields,
} as const;

export const updateScheduleBody = {
  type: 'object',
  minProperties: 1,
  additionalProperties: false,
  properties: fields,
} as const;

export const scheduleView = {
  type: 'object',
  required: [
    'id',
    'siteId',
    'name',
    'cron',
    'timezone',
    'enabled',
    'command',
    'nextRuns',
    'lastFiredAt',
    'lastCommandId',
    'lastError',
    'createdAt',
    'updatedAt',
  ],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    siteId: { type: 'string' },
    name: { type: 'string' },
    cron: { type: 'string' },
    /** The site's time zone, in which the cron fields are read. */
    timezone: { type: 'string' },
    enabled: { type: 'boolean' },
    /** The command body each fire creates (no secret can be in it). */
    command: { type: 'object', additionalProperties: true },
    /** The next three fire times (UTC) while enabled; empty when disabled. */
    nextRuns: { type: 'array', items: { type: 'string', format: 'date-time' } },
    lastFiredAt: { type: ['string', 'null'], format: 'date-time' },
    lastCommandId: { type: ['string', 'null'] },
    /** Why the last fire created no command; '' when it did. */
    lastError: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const scheduleResponse = successSchema(scheduleView);
export const scheduleListResponse = successSchema({
  type: 'object',
  required: ['schedules'],
  additionalProperties: false,
  properties: { schedules: { type: 'array', items: scheduleView } },
});
export const deletedScheduleResponse = successSchema({
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: { type: 'string' } },
});

export interface ScheduleInput {
  name?: string;
  cron?: string;
  enabled?: boolean;
  command?: CommandTemplate;
}

/** The template as stored: a command body without schedule (targets optional). */
export interface CommandTemplate {
  type: string;
  params?: Record<string, unknown>;
  targets?: { minerIds: string[] } | { miners: { agentId: string; minerId: string }[] } | { filter: object };
  expiresInSeconds?: number;
  effectTimeoutSeconds?: number;
  rollout?: { perMinute?: number; abortThresholdPct?: number; abortMinExecuted?: number };
}
