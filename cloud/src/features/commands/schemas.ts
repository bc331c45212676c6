import { successSchema } from '../../http/envelope.js';
import { filterProperties } from '../miners/index.js';
import { COMMAND_STATUSES, OVERALL_STATES, TARGET_STATES } from './lifecycle.js';
import { COMMAND_TYPES, POWER_MODES } from './params.js';

// Request and response schemas of /api/commands. Responses are allow-lists: fast-json-stringify drops anything not
// named, so a stray field can never leak.

/** Most miners one command may name. */
export const MAX_TARGETS = 10_000;
/** Ten thousand { agentId, minerId } pairs do not fit the API's usual 64 KB. */
export const COMMAND_BODY_LIMIT = 2 * 1024 * 1024;
export const MAX_EXPIRES_S = 7 * 86_400;
export const DEFAULT_EXPIRES_S = 3600;

const agentId = { type: 'string', minLength: 1, maxLength: 128 } as const;
const minerId = { type: 'string', minLength: 1, maxLength: 128 } as const;
const objectId = { type: 'string', minLength: 1, maxLength: 64 } as const;
/** Visible ASCII, no spaces or control characters: what every firmware's login and pool forms take. */
const loginName = { type: 'string', maxLength: 255, pattern: '^[\\x21-\\x7e]*$' } as const;
/** Printable ASCII (space allowed), never CR, LF or NUL, which would break a miner's config file. */
const secret = { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x20-\\x7e]+$' } as const;
const empty = { type: 'object', additionalProperties: false, maxProperties: 0 } as const;

const pool = {
  type: 'object',
  required: ['url', 'user'],
  additionalProperties: false,
  properties: {
    url: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' },
    user: { ...loginName, minLength: 1 },
    /** Kept in the vault and sent to the agent sealed; never stored with the command or shown. */
    password: secret,
  },
} as const;

/** Parameters per type; the schema of each is chosen by `type` (if/then), so wrong ones are refused. */
const PARAMS_BY_TYPE = {
  reboot: empty,
  restart_mining: empty,
  wake: empty,
  set_pools: {
    type: 'object',
    required: ['pools'],
    additionalProperties: false,
    properties: { pools: { type: 'array', minItems: 1, maxItems: 3, items: pool } },
  },
  led: {
    type: 'object',
    required: ['on'],
    additionalProperties: false,
    properties: {
      on: { type: 'boolean' },
      /** Seconds until the agent turns it off again; 0: stays as set. */
      durationS: { type: 'integer', minimum: 0, maximum: 86_400 },
    },
  },
  power_mode: {
    type: 'object',
    required: ['mode'],
    additionalProperties: false,
    properties: { mode: { type: 'string', enum: POWER_MODES } },
  },
  power_limit_w: {
    type: 'object',
    required: ['watts'],
    additionalProperties: false,
    properties: { watts: { type: 'integer', minimum: 100, maximum: 20_000 } },
  },
  update_credentials: {
    type: 'object',
    required: ['purpose', 'username'],
    additionalProperties: false,
    properties: {
      purpose: { type: 'string', enum: ['web', 'api'] },
      /** The login name to set (e.g. root, admin); the vault keeps it with the password. */
      username: { ...loginName, minLength: 1, maxLength: 64 },
      /** One password for every target; or generate: true for a unique random one per miner. */
      password: { ...secret, maxLength: 64 },
      generate: { type: 'boolean', const: true },
    },
  },
} as const;

const targetsSchema = {
  type: 'object',
  minProperties: 1,
  maxProperties: 1,
  additionalProperties: false,
  properties: {
    /** Miner ids of the caller's tenant (an id used by two agents must be named with miners instead). */
    minerIds: { type: 'array', minItems: 1, maxItems: MAX_TARGETS, items: minerId },
    miners: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_TARGETS,
      items: {
        type: 'object',
        required: ['agentId', 'minerId'],
        additionalProperties: false,
        properties: { agentId, minerId },
      },
    },
    /** Every miner of the site. */
    siteId: objectId,
    /** The fleet list's filters (GET /api/miners); every miner they match at request time. */
    filter: { type: 'object', additionalProperties: false, minProperties: 1, properties: filterProperties },
  },
} as const;

export const createCommandBody = {
  type: 'object',
  required: ['type', 'targets'],
  additionalProperties: false,
  properties: {
    type: { type: 'string', enum: COMMAND_TYPES },
    targets: targetsSchema,
    params: { type: 'object' },
    /** How long targets may wait to start; past it they expire and the agent refuses the command. */
    expiresInSeconds: { type: 'integer', minimum: 30, maximum: MAX_EXPIRES_S },
    /** How long the agent waits for the effect to be seen (0 or omitted: the agent's default, 900 s). */
    effectTimeoutSeconds: { type: 'integer', minimum: 0, maximum: 7200 },
    schedule: {
      type: 'object',
      required: ['notBefore'],
      additionalProperties: false,
      properties: { notBefore: { type: 'string', format: 'date-time', maxLength: 40 } },
    },
    rollout: {
      type: 'object',
      additionalProperties: false,
      properties: {
        /** Target starts per site per minute. */
        perMinute: { type: 'integer', minimum: 1, maximum: MAX_TARGETS },
        /** Abort when this share of finished targets failed... */
        abortThresholdPct: { type: 'integer', minimum: 1, maximum: 100 },
        /** ...once at least this many have finished. */
        abortMinExecuted: { type: 'integer', minimum: 1, maximum: MAX_TARGETS },
      },
    },
  },
  allOf: Object.entries(PARAMS_BY_TYPE).map(([type, params]) => ({
    if: { properties: { type: { const: type } } },
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword, not a thenable.
    then: params === empty ? { properties: { params } } : { required: ['params'], properties: { params } },
  })),
} as const;

export const commandIdParams = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: objectId },
} as const;

export const approveBody = {
  type: 'object',
  required: ['canonicalHash'],
  additionalProperties: false,
  properties: {
    /** The canonicalHash of the command as the approver read it: the approval binds exactly that command. */
    canonicalHash: { type: 'string', pattern: '^[0-9a-f]{64}$' },
  },
} as const;

export const listCommandsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
    /** The nextCursor of the previous page (of the same filters). */
    cursor: { type: 'string', minLength: 1, maxLength: 256 },
    /** The stored status, e.g. awaiting_approval for an approval inbox. */
    status: { type: 'string', enum: COMMAND_STATUSES },
    /** With minerId: the commands with a target on that miner. */
    agentId,
    minerId,
    /** The user id of the operator who created them. */
    createdBy: objectId,
  },
  // A miner is named by both ids or not at all.
  dependencies: { agentId: ['minerId'], minerId: ['agentId'] },
} as const;

const nullableTime = { type: ['string', 'null'], format: 'date-time' } as const;
const nullableString = { type: ['string', 'null'] } as const;

const commandSummary = {
  type: 'object',
  required: [
    'id',
    'type',
    'state',
    'status',
    'targetCount',
    'createdBy',
    'createdAt',
    'notBefore',
    'expiresAt',
    'canonicalHash',
    'requiresApproval',
  ],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    type: { type: 'string', enum: COMMAND_TYPES },
    /** Overall: awaiting_approval, scheduled, queued, in_progress, succeeded, partially_succeeded, failed, ... */
    state: { type: 'string', enum: OVERALL_STATES },
    /** The stored status: awaiting_approval, active, finished, cancelled, aborted, expired. */
    status: { type: 'string' },
    statusReason: { type: 'string' },
    /** Params without secrets: pool passwords appear as vault references. */
    params: { type: 'object', additionalProperties: true },
    targetSpec: { type: 'object', additionalProperties: true },
    targetCount: { type: 'integer' },
    counts: { type: 'object', additionalProperties: { type: 'integer' } },
    createdBy: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    notBefore: { type: 'string', format: 'date-time' },
    expiresAt: { type: 'string', format: 'date-time' },
    effectTimeoutS: { type: 'integer' },
    canonicalHash: { type: 'string' },
    requiresApproval: { type: 'boolean' },
    approvalReason: { type: 'string' },
    approvedBy: nullableString,
    approvedAt: nullableTime,
    rollout: {
      type: 'object',
      additionalProperties: false,
      properties: {
        perMinute: { type: 'integer' },
        abortThresholdPct: { type: 'integer' },
        abortMinExecuted: { type: 'integer' },
      },
    },
    scheduleId: nullableString,
    finishedAt: nullableTime,
  },
} as const;

const targetView = {
  type: 'object',
  required: ['agentId', 'minerId', 'state', 'reason', 'errorCode', 'queuedAt', 'updatedAt'],
  additionalProperties: false,
  properties: {
    agentId: { type: 'string' },
    minerId: { type: 'string' },
    siteId: nullableString,
    state: { type: 'string', enum: TARGET_STATES },
    reason: { type: 'string' },
    errorCode: { type: 'string' },
    queuedAt: { type: 'string', format: 'date-time' },
    dispatchedAt: nullableTime,
    receivedAt: nullableTime,
    startedAt: nullableTime,
    finishedAt: nullableTime,
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const commandResponse = successSchema({
  ...commandSummary,
  required: [...commandSummary.required, 'targets'],
  properties: { ...commandSummary.properties, targets: { type: 'array', items: targetView } },
});

export const commandListResponse = successSchema({
  type: 'object',
  required: ['commands', 'nextCursor'],
  additionalProperties: false,
  properties: { commands: { type: 'array', items: commandSummary }, nextCursor: nullableString },
});

export const cancelResponse = successSchema({
  type: 'object',
  required: ['id', 'cancelled', 'cancelRequested'],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    /** Targets that had not left the cloud: cancelled at once. */
    cancelled: { type: 'integer' },
    /** Targets already on their agent and not started: a signed CancelCommand was asked for. */
    cancelRequested: { type: 'integer' },
  },
});

/** POST /api/commands/preview: what create would make of the same body; nothing is stored. */
export const previewResponse = successSchema({
  type: 'object',
  required: [
    'targetCount',
    'sites',
    'requiresApproval',
    'approvalReasons',
    'refused',
    'refusedCount',
    'notBefore',
    'expiresAt',
  ],
  additionalProperties: false,
  properties: {
    targetCount: { type: 'integer' },
    sites: {
      type: 'array',
      items: {
        type: 'object',
        required: ['siteId', 'siteName', 'count'],
        additionalProperties: false,
        properties: { siteId: nullableString, siteName: nullableString, count: { type: 'integer' } },
      },
    },
    requiresApproval: { type: 'boolean' },
    approvalReasons: { type: 'array', items: { type: 'string' } },
    /** Miners create would refuse (at most 100 listed; refusedCount is all of them): create fails while any. */
    refused: {
      type: 'array',
      items: {
        type: 'object',
        required: ['agentId', 'minerId', 'code', 'reason'],
        additionalProperties: false,
        properties: {
          agentId: { type: 'string' },
          minerId: { type: 'string' },
          code: { type: 'string' },
          reason: { type: 'string' },
        },
      },
    },
    refusedCount: { type: 'integer' },
    notBefore: { type: 'string', format: 'date-time' },
    expiresAt: { type: 'string', format: 'date-time' },
  },
});

/** POST /api/commands answers with the command without its targets (GET /api/commands/:id has them). */
export const createdResponse = successSchema(commandSummary);

/**
 * GET /api/commands/:id/events: text/event-stream, not JSON. Events: `snapshot` (the command as POST answers it),
 * `target` ({ commandId, agentId, minerId, state, version, at, reason?, errorCode? } per change), `command`
 * ({ commandId, status, at, reason? }) and `end` once the command and every target are final; `: heartbeat`
 * comments in between.
 */
export const eventStreamResponse = {
  content: { 'text/event-stream': { schema: { type: 'string' } } },
} as const;
