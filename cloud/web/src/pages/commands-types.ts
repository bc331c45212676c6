// What the commands API (cloud/README.md "Remote commands (API)") answers, as the console reads it. The console
// is a browser bundle and reaches the cloud over HTTP only, so these lists restate the API's schema enums.

export const COMMAND_TYPES = [
  'reboot',
  'restart_mining',
  'set_pools',
  'led',
  'power_mode',
  'power_limit_w',
  'wake',
  'update_credentials',
] as const;
export type CommandType = (typeof COMMAND_TYPES)[number];

export const POWER_MODES = ['sleep', 'low', 'normal', 'high'] as const;
export type PowerMode = (typeof POWER_MODES)[number];

/** One miner's part of a command, in lifecycle order; the last six are final. */
export const TARGET_STATES = [
  'queued',
  'dispatched',
  'received',
  'running',
  'succeeded',
  'failed',
  'timed_out',
  'rejected',
  'cancelled',
  'expired',
] as const;
export type TargetState = (typeof TARGET_STATES)[number];

export const isFinalTarget = (state: TargetState): boolean => TARGET_STATES.indexOf(state) >= 4;

/** The command as a whole, as GET /api/commands/:id shows it in `state`. */
export const OVERALL_STATES = [
  'awaiting_approval',
  'scheduled',
  'queued',
  'in_progress',
  'succeeded',
  'partially_succeeded',
  'failed',
  'cancelled',
  'aborted',
  'expired',
] as const;
export type OverallState = (typeof OVERALL_STATES)[number];

/** The stored status (`status`): what the lifecycle moves; `state` above refines it by the targets. */
export const COMMAND_STATUSES = [
  'awaiting_approval',
  'active',
  'finished',
  'cancelled',
  'aborted',
  'expired',
] as const;
export type CommandStatus = (typeof COMMAND_STATUSES)[number];

export const isFinalStatus = (status: CommandStatus): boolean =>
  status !== 'awaiting_approval' && status !== 'active';

/** The miners a command is for, as POST /api/commands names them (exactly one of the three). */
export type CommandTargets =
  | { miners: { agentId: string; minerId: string }[] }
  | { siteId: string }
  | { filter: Record<string, string> };

export type TargetsSpec =
  | { minerIds: string[] }
  | { miners: { agentId: string; minerId: string }[] }
  | { siteId: string }
  | { filter: Record<string, string> };

/** A command without its targets (GET /api/commands items, POST answers, the event stream's snapshot). */
export interface CommandSummary {
  id: string;
  type: CommandType;
  state: OverallState;
  status: CommandStatus;
  statusReason?: string;
  /** Without secrets: a pool password is a vault reference `{ credentialId, version }`. */
  params?: Record<string, unknown>;
  targetSpec?: TargetsSpec;
  targetCount: number;
  counts?: Partial<Record<TargetState, number>>;
  createdBy: string;
  createdAt: string;
  notBefore: string;
  expiresAt: string;
  canonicalHash: string;
  requiresApproval: boolean;
  approvalReason?: string;
  approvedBy?: string | null;
  approvedAt?: string | null;
  rollout?: { perMinute: number; abortThresholdPct: number; abortMinExecuted: number };
  finishedAt?: string | null;
}

export interface CommandTarget {
  agentId: string;
  minerId: string;
  siteId?: string | null;
  state: TargetState;
  reason: string;
  errorCode: string;
  queuedAt?: string;
  startedAt?: string | null;
  finishedAt?: string | null;
  updatedAt?: string;
  /** The row's version when the API gives it; the event stream always does. */
  version?: number;
}

export interface CommandDetail extends CommandSummary {
  targets: CommandTarget[];
}

export interface CommandPage {
  commands: CommandSummary[];
  nextCursor: string | null;
}

/** A `target` event of GET /api/commands/:id/events. */
export interface TargetChange {
  commandId: string;
  agentId: string;
  minerId: string;
  state: TargetState;
  version: number;
  /** Epoch ms. */
  at: number;
  reason?: string;
  errorCode?: string;
}

/** A `command` event of the same stream: the command's own status moved. */
export interface CommandChange {
  commandId: string;
  status: CommandStatus;
  at: number;
  reason?: string;
}

/** POST /api/commands/preview: what the same body would create, stored nowhere. */
export interface CommandPreview {
  targetCount: number;
  sites: { siteId: string | null; siteName: string | null; count: number }[];
  requiresApproval: boolean;
  approvalReasons: string[];
  /** Miners the command would be refused for (some listed); create refuses the whole command while any. */
  refused: { agentId: string; minerId: string; code: string; reason: string }[];
  refusedCount?: number;
  expiresAt?: string;
}
