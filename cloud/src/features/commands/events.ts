import type { Notifier } from '../../platform/index.js';
import { COMMAND_STATUSES, type CommandStatus, type TargetState } from './lifecycle.js';
import type { MovedTarget } from './repository.js';

// Live changes of commands, over the platform notifier (Redis pub/sub with several instances), so that the SSE
// stream of GET /api/commands/:id/events sees changes made by any instance: the API, the dispatcher, the
// updates consumer, the sweeper. Not durable: a client that reconnects reads the command again.

/** One target's new state, as the stream shows it. */
export interface TargetChange {
  commandId: string;
  agentId: string;
  minerId: string;
  state: TargetState;
  /** The target row's version after the change (a client drops an older one arriving late). */
  version: number;
  at: number;
  reason?: string;
  errorCode?: string;
}

/** The command's own status changed (approved, cancelled, finished, aborted, expired). */
export interface CommandChange {
  commandId: string;
  status: CommandStatus;
  at: number;
  reason?: string;
}

/** One channel per command, named with its tenant so ids of two tenants can never meet. */
export const commandChannel = (tenantId: string, commandId: string): string =>
  `commands:${tenantId}:${commandId}`;

/**
 * Every command of a tenant in one channel, for the console's live stream (GET /api/stream): that a command was
 * created or changed status, or that its targets moved. One message per command per publish call, whatever the
 * number of targets, so a 10,000-miner command costs its subscribers little.
 */
export const tenantCommandsChannel = (tenantId: string): string => `commands:${tenantId}`;

/** What the tenant channel carries: `status` when the command's own status was set, absent for target progress. */
export interface CommandActivity {
  commandId: string;
  status?: CommandStatus;
  at: number;
}

async function publishActivity(
  notifier: Notifier,
  tenantId: string,
  activity: CommandActivity,
): Promise<void> {
  await notifier.publish(tenantCommandsChannel(tenantId), { ...activity });
}

/** A message of the tenant channel, or undefined for anything else on it. */
export function parseCommandActivity(message: Record<string, unknown>): CommandActivity | undefined {
  const { commandId, status, at } = message;
  if (typeof commandId !== 'string' || commandId === '' || commandId.length > 64) return undefined;
  if (typeof at !== 'number' || !Number.isFinite(at)) return undefined;
  if (status === undefined) return { commandId, at };
  if (!(COMMAND_STATUSES as readonly unknown[]).includes(status)) return undefined;
  return { commandId, status: status as CommandStatus, at };
}

/**
 * Where a command that became dispatchable (stored active, or approved) is announced, so the dispatcher of every
 * instance looks now rather than at its next tick. The same string as engine/index.ts KICK_CHANNEL (a test
 * checks); kept here so the service does not import the engine that imports it.
 */
export const ENGINE_KICK_CHANNEL = 'commands:engine:kick';

export async function kickDispatchers(notifier: Notifier): Promise<void> {
  await notifier.publish(ENGINE_KICK_CHANNEL, {});
}

/** Most target changes in one notification; a cancel of 10,000 targets is 20 messages, not 10,000. */
const BATCH = 500;

export async function publishTargetChanges(
  notifier: Notifier,
  tenantId: string,
  changes: readonly TargetChange[],
): Promise<void> {
  const byCommand = new Map<string, TargetChange[]>();
  for (const change of changes)
    byCommand.set(change.commandId, [...(byCommand.get(change.commandId) ?? []), change]);
  for (const [commandId, list] of byCommand) {
    for (let i = 0; i < list.length; i += BATCH) {
      await notifier.publish(commandChannel(tenantId, commandId), {
        kind: 'targets',
        targets: list.slice(i, i + BATCH) as unknown as Record<string, unknown>[],
      });
    }
    const at = list.reduce((latest, change) => Math.max(latest, change.at), 0);
    await publishActivity(notifier, tenantId, { commandId, at });
  }
}

/** One target's change (what the dispatcher and the updates consumer call per transition). */
export function publishTargetChange(
  notifier: Notifier,
  tenantId: string,
  change: TargetChange,
): Promise<void> {
  return publishTargetChanges(notifier, tenantId, [change]);
}

export async function publishCommandChange(
  notifier: Notifier,
  tenantId: string,
  change: CommandChange,
): Promise<void> {
  await notifier.publish(commandChannel(tenantId, change.commandId), {
    kind: 'command',
    command: change as unknown as Record<string, unknown>,
  });
  await publishActivity(notifier, tenantId, {
    commandId: change.commandId,
    status: change.status,
    at: change.at,
  });
}

export type CommandNotification =
  | { kind: 'targets'; targets: TargetChange[] }
  | { kind: 'command'; command: CommandChange };

/** A notification as published above, or undefined for anything else on the channel. */
export function parseNotification(message: Record<string, unknown>): CommandNotification | undefined {
  if (message.kind === 'targets' && Array.isArray(message.targets)) {
    return { kind: 'targets', targets: message.targets as TargetChange[] };
  }
  if (message.kind === 'command' && typeof message.command === 'object' && message.command !== null) {
    return { kind: 'command', command: message.command as CommandChange };
  }
  return undefined;
}

/** The change events of targets a bulk transition moved to `state`. */
export function movedChanges(
  commandId: string,
  moved: readonly MovedTarget[],
  state: TargetState,
  at: number,
  reason?: string,
): TargetChange[] {
  return moved.map((target) => ({
    commandId,
    agentId: target.agent_id,
    minerId: target.miner_id,
    state,
    version: Number(target.version),
    at,
    ...(reason === undefined ? {} : { reason }),
  }));
}
