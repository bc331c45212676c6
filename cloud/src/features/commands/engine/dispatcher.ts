import { sql } from 'kysely';
import { uuidv7 } from '../../../lib/ids.js';
import { dispatchAllowed } from '../service.js';
import { StoredCommandError, targetCredential, wireActionOf } from './actions.js';
import type { EngineDeps } from './context.js';
import { sendDispatch } from './publish.js';
import {
  agentsOf,
  type CommandRow,
  claimTargets,
  type DispatchRow,
  dueCommands,
  findCommand,
  queuedSites,
  queuedTargets,
  type TargetRow,
  tryLockCommand,
} from './repository.js';
import { ROLLOUT_DEFAULTS, ROLLOUT_WINDOW_MS, rolloutBudget } from './rollout.js';
import { keyOf, moveTarget, settleCommand } from './transitions.js';
import { newNonce, type WireAction } from './wire.js';

// The dispatcher: due, approved, unexpired commands' queued targets become signed messages, one per agent (and
// per credential for a login rotation), at most rollout_per_minute starts per site in any 60 s. Planning happens
// in a transaction holding the command's lock (several instances plan one command one at a time), claims the
// targets and stores each dispatch; sending happens after the commit (publish.ts).

/** Most commands looked at per pass. */
const COMMANDS_PER_PASS = 50;

interface Planned {
  command: CommandRow;
  dispatch: DispatchRow;
  action: WireAction;
}

/** One pass over due commands; resolves to the number of targets sent. */
export async function dispatchPass(deps: EngineDeps): Promise<number> {
  let sent = 0;
  for (const command of await dueCommands(deps.db, deps.now(), COMMANDS_PER_PASS)) {
    try {
      sent += await dispatchCommand(deps, command);
    } catch (error) {
      deps.log.error({ err: error, commandId: command.id }, 'dispatch of a command failed');
    }
  }
  return sent;
}

/** Commands found dispatchable, by id and row version (a changed row is checked again): the hash is not free. */
const approvedSeen = new WeakMap<EngineDeps, Map<string, number>>();

async function approved(deps: EngineDeps, command: CommandRow): Promise<boolean> {
  const seen = approvedSeen.get(deps) ?? new Map<string, number>();
  approvedSeen.set(deps, seen);
  if (seen.get(command.id) === Number(command.version)) return true;
  // An approval binds the canonical command: sent only while the approved hash equals the stored rows' hash.
  if (!(await dispatchAllowed(deps.db, command, deps.now()))) return false;
  if (seen.size > 10_000) seen.clear();
  seen.set(command.id, Number(command.version));
  return true;
}

export async function dispatchCommand(deps: EngineDeps, due: CommandRow): Promise<number> {
  if (!(await approved(deps, due))) {
    deps.log.warn({ commandId: due.id }, 'command not dispatched: its approval does not match it');
    return 0;
  }
  const refused: TargetRow[] = [];
  const planned = await deps.db.transaction().execute(async (trx) => {
    if (!(await tryLockCommand(trx, due.id))) return [];
    const command = await findCommand(trx, due.id);
    const now = deps.now();
    if (
      command?.status !== 'active' ||
      Number(command.expires_at) <= now ||
      Number(command.not_before) > now
    ) {
      return [];
    }
    const perMinute = Number(command.rollout_per_minute) || ROLLOUT_DEFAULTS.perMinute;
    // Starts per site in the window: targets of dispatches issued in it, sent or still being sent.
    const started = await trx
      .selectFrom('command_target')
      .innerJoin('command_dispatch', 'command_dispatch.id', 'command_target.dispatch_id')
      .select(['command_target.site_id', sql<number>`count(*)`.as('n')])
      .where('command_target.command_id', '=', command.id)
      .where('command_dispatch.kind', '=', 'run')
      .where('command_dispatch.issued_at', '>', now - ROLLOUT_WINDOW_MS)
      .groupBy('command_target.site_id')
      .execute();
    const startedAt = new Map(started.map((row) => [row.site_id, Number(row.n)]));
    const queued: TargetRow[] = [];
    for (const site of await queuedSites(trx, command.id)) {
      const budget = rolloutBudget(perMinute, startedAt.get(site) ?? 0);
      if (budget > 0) {
        queued.push(
          ...(await queuedTargets(trx, command.id, site, Math.min(budget, deps.settings.maxTargetsPerPass))),
        );
      }
    }
    const agents = await agentsOf(trx, command.tenant_id, [...new Set(queued.map((t) => t.agent_id))]);
    // Group by agent (and by credential version: a login rotation names one per message).
    const groups = new Map<string, TargetRow[]>();
    for (const target of queued) {
      const agent = agents.get(target.agent_id);
      if (agent === undefined || agent.revoked || !agent.enrolled) {
        refused.push(target);
        continue;
      }
      const key = `${target.agent_id}\u0000${target.credential_id ?? ''}\u0000${target.credential_version ?? ''}`;
      const group = groups.get(key);
      if (group === undefined) groups.set(key, [target]);
      else group.push(target);
    }
    const plans: Planned[] = [];
    for (const targets of groups.values()) {
      const first = targets[0] as TargetRow;
      let action: WireAction;
      try {
        action = wireActionOf(command.type, command.params, targetCredential(first));
      } catch (error) {
        if (!(error instanceof StoredCommandError)) throw error;
        refused.push(...targets);
        continue;
      }
      for (let i = 0; i < targets.length; i += deps.settings.maxMinersPerMessage) {
        const chunk = targets.slice(i, i + deps.settings.maxMinersPerMessage);
        const dispatch: DispatchRow = {
          id: uuidv7(now),
          command_id: command.id,
          agent_id: first.agent_id,
          kind: 'run',
          miner_ids: '[]',
          nonce: Buffer.from(newNonce()).toString('base64'),
          issued_at: now,
          expires_at: Number(command.expires_at),
          published_at: null,
        };
        const got = await claimTargets(
          trx,
          dispatch,
          chunk.map((t) => t.miner_id),
        );
        if (got.length > 0)
          plans.push({ command, dispatch: { ...dispatch, miner_ids: JSON.stringify(got) }, action });
      }
    }
    return plans;
  });
  for (const target of refused) await refuse(deps, due, target);
  let sent = 0;
  for (const plan of planned) {
    if (await sendDispatch(deps, plan.command, plan.dispatch, plan.action)) {
      sent += (JSON.parse(plan.dispatch.miner_ids) as string[]).length;
    }
  }
  if (refused.length > 0) await settleCommand(deps, due.id);
  return sent;
}

/** A target that cannot be sent: its agent is gone, revoked or never enrolled keys, or the row is unreadable. */
async function refuse(deps: EngineDeps, command: CommandRow, target: TargetRow): Promise<void> {
  const agents = await agentsOf(deps.db, command.tenant_id, [target.agent_id]);
  const agent = agents.get(target.agent_id);
  const [errorCode, reason] =
    agent === undefined
      ? ['COMMANDS_AGENT_UNKNOWN', 'the agent of this miner is no longer known']
      : agent.revoked
        ? ['COMMANDS_AGENT_REVOKED', 'the agent of this miner was revoked']
        : !agent.enrolled
          ? ['COMMANDS_AGENT_NO_KEYS', 'the agent of this miner has no command keys (enroll it again)']
          : ['COMMANDS_STORED_INVALID', 'the stored command cannot be turned into a message'];
  await moveTarget(
    deps,
    command.tenant_id,
    target,
    'failed',
    { reason, errorCode },
    { kind: 'engine', job: 'dispatcher' },
  );
  deps.log.warn({ ...keyOf(target), code: errorCode }, 'target not dispatched');
}
