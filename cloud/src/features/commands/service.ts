import type { Db } from '../../db/index.js';
import type { CommandTable, CommandTargetTable } from '../../db/schema.js';
import { uuidv7 } from '../../lib/ids.js';
import type { Notifier } from '../../platform/index.js';
import type { Principal } from '../../plugins/access.js';
import { type FleetFilters, ipLookupFor } from '../miners/index.js';
import type { VaultApi } from '../vault/index.js';
import { type CanonicalCommand, commandHash, type Json, requestHash } from './canonical.js';
import { type CommandListFilters, decodeCursor, encodeCursor } from './cursor.js';
import {
  approvalExpired,
  approvalNotNeeded,
  approvalStale,
  capabilityMissing,
  commandNotFound,
  idempotencyKeyMissing,
  idempotencyMismatch,
  notCancellable,
  paramsInvalid,
  scheduleInvalid,
  selfApproval,
  targetAmbiguous,
  targetDuplicate,
  targetNotFound,
  targetsEmpty,
  targetsInvalid,
  targetsTooMany,
  vaultUnavailable,
} from './errors.js';
import { kickDispatchers, movedChanges, publishCommandChange, publishTargetChanges } from './events.js';
import {
  type CommandStatus,
  isTerminalCommand,
  isTerminalTarget,
  type OverallState,
  overallState,
  type TargetCounts,
  type TargetState,
} from './lifecycle.js';
import {
  type CommandParamsInput,
  type CredentialRef,
  capabilityFor,
  checkParams,
  generatePassword,
  loginPasswordProblem,
  type PoolInput,
  type StoredParams,
} from './params.js';
import { approvalReason, type CommandPolicy } from './policy.js';
import {
  claimIdempotency,
  findCommand,
  findIdempotency,
  insertCommand,
  type MovedTarget,
  minersByFilter,
  minersByIds,
  minersByKeys,
  minersPerSite,
  moveCommand,
  type NewTarget,
  noOpenTargets,
  selectCommandPage,
  selectTargets,
  selectUnapprovedBefore,
  siteExists,
  type TargetMiner,
  targetCounts,
  transitionTargetsInState,
} from './repository.js';
import { DEFAULT_EXPIRES_S, MAX_TARGETS } from './schemas.js';

// Commands as operators see them: create (validated, resolved, policy-checked, idempotent), read, list, approve,
// cancel. Plain functions over a Db; the routes (index.ts), the schedule runner and the legacy adapter call them.

export interface CommandDeps {
  db: Db;
  notifier: Notifier;
  policy: CommandPolicy;
  /** Keys the idempotency request hash (derive it from a server secret shared by every instance). */
  requestKey: Buffer;
  /** Needed for set_pools with passwords and update_credentials; other types work without it. */
  vault?: VaultApi | undefined;
  now: () => number;
  /** For a filter on status (the fleet's stale rule). */
  staleAfterMs: number;
}

export type TargetsSpec =
  | { minerIds: string[] }
  | { miners: { agentId: string; minerId: string }[] }
  | { siteId: string }
  | { filter: FleetFilters };

export type CreateCommandBody = CommandParamsInput & {
  targets: TargetsSpec;
  expiresInSeconds?: number;
  effectTimeoutSeconds?: number;
  schedule?: { notBefore: string };
  rollout?: { perMinute?: number; abortThresholdPct?: number; abortMinExecuted?: number };
};

export const IDEMPOTENCY_TTL_MS = 24 * 3600_000;
/** Idempotency-Key: visible ASCII, as header values are. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
/** A schedule may lie this far ahead. */
const MAX_SCHEDULE_AHEAD_MS = 31 * 86_400_000;
/** A notBefore this little in the past is taken as now (clocks and slow clients). */
const SCHEDULE_PAST_SLACK_MS = 60_000;

/** What the API shows of a command (without its targets). */
export interface CommandSummary {
  id: string;
  type: string;
  state: OverallState;
  status: string;
  statusReason: string;
  params: StoredParams;
  targetSpec: TargetsSpec;
  targetCount: number;
  counts: TargetCounts;
  createdBy: string;
  createdAt: string;
  notBefore: string;
  expiresAt: string;
  effectTimeoutS: number;
  canonicalHash: string;
  requiresApproval: boolean;
  approvalReason: string;
  approvedBy: string | null;
  approvedAt: string | null;
  rollout: { perMinute: number; abortThresholdPct: number; abortMinExecuted: number };
  scheduleId: string | null;
  finishedAt: string | null;
}

export interface TargetView {
  agentId: string;
  minerId: string;
  siteId: string | null;
  state: TargetState;
  reason: string;
  errorCode: string;
  queuedAt: string;
  dispatchedAt: string | null;
  receivedAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  updatedAt: string;
}

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

export function toSummary(row: CommandTable, counts: TargetCounts, now: number): CommandSummary {
  return {
    id: row.id,
    type: row.type,
    state: overallState(row.status as CommandStatus, row.not_before, now, counts),
    status: row.status,
    statusReason: row.status_reason,
    params: JSON.parse(row.params) as StoredParams,
    targetSpec: JSON.parse(row.targets) as TargetsSpec,
    targetCount: row.target_count,
    counts,
    createdBy: row.created_by,
    createdAt: iso(row.created_at),
    notBefore: iso(row.not_before),
    expiresAt: iso(row.expires_at),
    effectTimeoutS: row.effect_timeout_s,
    canonicalHash: row.canonical_hash,
    requiresApproval: row.requires_approval === 1,
    approvalReason: row.approval_reason,
    approvedBy: row.approved_by,
    approvedAt: isoOrNull(row.approved_at),
    rollout: {
      perMinute: row.rollout_per_minute,
      abortThresholdPct: row.abort_threshold_pct,
      abortMinExecuted: row.abort_min_executed,
    },
    scheduleId: row.schedule_id,
    finishedAt: isoOrNull(row.finished_at),
  };
}

export function toTargetView(row: CommandTargetTable): TargetView {
  return {
    agentId: row.agent_id,
    minerId: row.miner_id,
    siteId: row.site_id,
    state: row.state as TargetState,
    reason: row.reason,
    errorCode: row.error_code,
    queuedAt: iso(row.queued_at),
    dispatchedAt: isoOrNull(row.dispatched_at),
    receivedAt: isoOrNull(row.received_at),
    startedAt: isoOrNull(row.started_at),
    finishedAt: isoOrNull(row.finished_at),
    updatedAt: iso(row.updated_at),
  };
}

/** The canonical form of a stored command and its targets: what an approval binds (canonical.ts). */
export function canonicalOf(
  row: CommandTable,
  targets: readonly Pick<
    CommandTargetTable,
    'agent_id' | 'miner_id' | 'credential_id' | 'credential_version'
  >[],
): CanonicalCommand {
  return {
    tenantId: row.tenant_id,
    type: row.type,
    params: JSON.parse(row.params) as Json,
    notBefore: row.not_before,
    expiresAt: row.expires_at,
    effectTimeoutS: row.effect_timeout_s,
    rolloutPerMinute: row.rollout_per_minute,
    abortThresholdPct: row.abort_threshold_pct,
    abortMinExecuted: row.abort_min_executed,
    targets: targets.map((t) => ({
      agentId: t.agent_id,
      minerId: t.miner_id,
      credentialId: t.credential_id,
      credentialVersion: t.credential_version,
    })),
  };
}

/**
 * Whether the dispatcher may start targets of this command now: active, due, not expired, and — when it needed
 * approval — approved for exactly what is stored (the hash is computed afresh from the rows, so a changed row
 * voids the approval). The engine calls this before every dispatch round.
 */
export async function dispatchAllowed(db: Db, command: CommandTable, now: number): Promise<boolean> {
  if (command.status !== 'active' || command.not_before > now || command.expires_at <= now) return false;
  if (command.requires_approval === 0) return true;
  if (command.approved_hash === null || command.approved_hash !== command.canonical_hash) return false;
  const fresh = commandHash(canonicalOf(command, await selectTargets(db, command.id)));
  return fresh === command.approved_hash;
}

function resolvedOnce(miners: TargetMiner[]): TargetMiner[] {
  const seen = new Set<string>();
  for (const miner of miners) {
    const key = `${miner.agentId}\u0000${miner.minerId}`;
    if (seen.has(key)) throw targetDuplicate();
    seen.add(key);
  }
  return miners;
}

/** The miners a spec names, all inside the caller's tenant, or the whole request fails (never partially). */
export async function resolveTargets(
  deps: CommandDeps,
  principal: Principal,
  spec: TargetsSpec,
): Promise<TargetMiner[]> {
  const keys = Object.keys(spec);
  if (keys.length !== 1) throw targetsInvalid();
  const { db } = deps;
  if ('minerIds' in spec) {
    if (spec.minerIds.length > MAX_TARGETS) throw targetsTooMany(MAX_TARGETS);
    if (new Set(spec.minerIds).size !== spec.minerIds.length) throw targetDuplicate();
    const found = await minersByIds(db, principal.tenantId, spec.minerIds);
    const byId = new Map<string, TargetMiner>();
    for (const miner of found) {
      if (byId.has(miner.minerId)) throw targetAmbiguous(miner.minerId);
      byId.set(miner.minerId, miner);
    }
    if (byId.size !== spec.minerIds.length) throw targetNotFound();
    return spec.minerIds.map((id) => byId.get(id) as TargetMiner);
  }
  if ('miners' in spec) {
    if (spec.miners.length > MAX_TARGETS) throw targetsTooMany(MAX_TARGETS);
    const wanted = new Set(spec.miners.map((m) => `${m.agentId}\u0000${m.minerId}`));
    if (wanted.size !== spec.miners.length) throw targetDuplicate();
    const found = await minersByKeys(db, principal.tenantId, spec.miners);
    if (found.length !== wanted.size) throw targetNotFound();
    return resolvedOnce(found);
  }
  const filters: FleetFilters = 'siteId' in spec ? { siteId: spec.siteId } : spec.filter;
  if ('siteId' in spec && !(await siteExists(db, principal.tenantId, spec.siteId))) throw targetNotFound();
  // q may name an address or subnet (miners/ip.ts): the same miners as the fleet list with this filter.
  const ipLookup = deps.vault === undefined ? undefined : await ipLookupFor(deps.vault, principal, filters.q);
  const found = await minersByFilter(
    db,
    principal,
    filters,
    deps.now() - deps.staleAfterMs,
    MAX_TARGETS + 1,
    ipLookup,
  );
  if (found.length > MAX_TARGETS) throw targetsTooMany(MAX_TARGETS);
  return found;
}

function capabilitiesOf(miner: TargetMiner): string[] {
  try {
    const parsed: unknown = JSON.parse(miner.capabilities);
    return Array.isArray(parsed) ? parsed.filter((c): c is string => typeof c === 'string') : [];
  } catch {
    return [];
  }
}

/** A new login's password must suit every target's firmware (400 naming the first miner it does not suit). */
function checkLoginPasswords(input: CommandParamsInput, miners: TargetMiner[]): void {
  if (input.type !== 'update_credentials' || input.params.password === undefined) return;
  for (const miner of miners) {
    const problem = loginPasswordProblem(miner.driver, input.params.password);
    if (problem !== undefined)
      throw paramsInvalid(`password does not suit ${miner.agentId}/${miner.minerId}: ${problem}`);
  }
}

/** Types that put a secret in the vault: without one they cannot be created (503). */
function needsVault(input: CommandParamsInput): boolean {
  if (input.type === 'update_credentials') return true;
  return input.type === 'set_pools' && input.params.pools.some((pool) => pool.password !== undefined);
}

function timesOf(body: CreateCommandBody, now: number): { notBefore: number; expiresAt: number } {
  let notBefore = now;
  if (body.schedule !== undefined) {
    const at = Date.parse(body.schedule.notBefore);
    if (!Number.isFinite(at)) throw scheduleInvalid('schedule.notBefore is not a date-time');
    if (at < now - SCHEDULE_PAST_SLACK_MS) throw scheduleInvalid('schedule.notBefore lies in the past');
    if (at > now + MAX_SCHEDULE_AHEAD_MS)
      throw scheduleInvalid('schedule.notBefore lies more than 31 days ahead');
    notBefore = Math.max(at, now);
  }
  return { notBefore, expiresAt: notBefore + (body.expiresInSeconds ?? DEFAULT_EXPIRES_S) * 1000 };
}

/** Secrets of the request moved into the vault: pool passwords, and the new login of each target. */
interface Staged {
  params: StoredParams;
  perTarget: Map<string, CredentialRef>;
  /** Pending versions to drop if this request ends up not creating the command. */
  pending: { tenantId: string; ref: CredentialRef }[];
}

async function stageSecrets(
  deps: CommandDeps,
  tenantId: string,
  input: CommandParamsInput,
  miners: TargetMiner[],
): Promise<Staged> {
  const perTarget = new Map<string, CredentialRef>();
  const pending: Staged['pending'] = [];
  switch (input.type) {
    case 'set_pools': {
      const pools: { url: string; user: string; password?: CredentialRef }[] = [];
      for (const pool of input.params.pools as PoolInput[]) {
        if (pool.password === undefined) {
          pools.push({ url: pool.url, user: pool.user });
          continue;
        }
        if (deps.vault === undefined) throw vaultUnavailable();
        const ref = await deps.vault.putCredential(tenantId, { kind: 'pool' }, 'pool', {
          username: pool.user,
          password: pool.password,
        });
        pools.push({ url: pool.url, user: pool.user, password: ref });
      }
      return { params: { pools }, perTarget, pending };
    }
    case 'update_credentials': {
      const vault = deps.vault;
      if (vault === undefined) throw vaultUnavailable();
      const { purpose, username, password, generate = false } = input.params;
      try {
        for (const miner of miners) {
          const ref = await vault.stagePending(
            tenantId,
            { kind: 'miner', agentId: miner.agentId, minerId: miner.minerId },
            purpose,
            { username, password: generate ? generatePassword(miner.driver) : (password as string) },
          );
          perTarget.set(`${miner.agentId}\u0000${miner.minerId}`, ref);
          pending.push({ tenantId, ref });
        }
      } catch (error) {
        await discardAll(deps, pending);
        throw error;
      }
      return { params: { purpose, username, generated: generate }, perTarget, pending };
    }
    case 'led':
      return { params: { on: input.params.on, durationS: input.params.durationS ?? 0 }, perTarget, pending };
    case 'power_mode':
      return { params: { mode: input.params.mode }, perTarget, pending };
    case 'power_limit_w':
      return { params: { watts: input.params.watts }, perTarget, pending };
    default:
      return { params: {}, perTarget, pending };
  }
}

async function discardAll(deps: Pick<CommandDeps, 'vault'>, pending: Staged['pending']): Promise<void> {
  if (deps.vault === undefined) return;
  for (const { tenantId, ref } of pending) await deps.vault.discardPending(tenantId, ref);
}

/** What a create request would make, worked out without storing anything (create and preview share it). */
export interface CommandPlan {
  /** Every miner the targets name, in the caller's tenant. */
  miners: TargetMiner[];
  /** The driver capability the type needs on each of them. */
  capability: string;
  /** Those whose driver cannot do it: create refuses the whole request while there is one. */
  unable: TargetMiner[];
  notBefore: number;
  expiresAt: number;
  /** Resolved targets per site (null: miners without a site). */
  targetsPerSite: Map<string | null, number>;
  /** Why a second operator must approve, '' when none must. */
  approvalReason: string;
}

/**
 * Checks params, targets (all inside the caller's tenant, or 404), times and the vault, and applies the approval
 * policy: every refusal create would answer, in the same order, except missing capabilities, which are listed.
 */
export async function planCommand(
  deps: CommandDeps,
  principal: Principal,
  body: CreateCommandBody,
  now: number,
): Promise<CommandPlan> {
  checkParams(body);
  const miners = await resolveTargets(deps, principal, body.targets);
  if (miners.length === 0) throw targetsEmpty();
  const capability = capabilityFor(body);
  const unable = miners.filter((miner) => !capabilitiesOf(miner).includes(capability));
  const { notBefore, expiresAt } = timesOf(body, now);
  checkLoginPasswords(body, miners);
  if (needsVault(body) && deps.vault === undefined) throw vaultUnavailable();

  const targetsPerSite = new Map<string | null, number>();
  for (const miner of miners) targetsPerSite.set(miner.siteId, (targetsPerSite.get(miner.siteId) ?? 0) + 1);
  const siteIds = [...targetsPerSite.keys()].filter((id): id is string => id !== null);
  const reason = approvalReason(deps.policy, {
    type: body.type,
    wholeSite: 'siteId' in body.targets,
    targetsPerSite,
    minersPerSite: await minersPerSite(deps.db, principal.tenantId, siteIds),
  });
  return { miners, capability, unable, notBefore, expiresAt, targetsPerSite, approvalReason: reason };
}

export interface Created {
  command: CommandSummary;
  /** True when the key had already made this command (same body): nothing new was created. */
  replayed: boolean;
}

class KeyTaken extends Error {}

/**
 * Creates a command: the Idempotency-Key first (same key and body: the same command; another body: 422), then
 * params and targets checked (every target in the caller's tenant and able to do it) before anything is stored,
 * secrets moved to the vault, the approval policy applied, and command + targets + key written in one
 * transaction. `idempotencyKey` may be null only for internal callers (never from HTTP).
 */
export async function createCommand(
  deps: CommandDeps,
  principal: Principal,
  body: CreateCommandBody,
  idempotencyKey: string | null,
  options: { scheduleId?: string } = {},
): Promise<Created> {
  const { db } = deps;
  const now = deps.now();
  if (idempotencyKey !== null && !IDEMPOTENCY_KEY.test(idempotencyKey)) throw idempotencyKeyMissing();
  const keyRef = { tenantId: principal.tenantId, principalId: principal.userId, key: idempotencyKey ?? '' };
  const hash = requestHash(deps.requestKey, {
    body,
    scheduleId: options.scheduleId ?? null,
  } as unknown as Json);
  const replay = async (): Promise<Created | undefined> => {
    if (idempotencyKey === null) return undefined;
    const entry = await findIdempotency(db, keyRef, now);
    if (entry === undefined) return undefined;
    if (entry.request_hash !== hash) throw idempotencyMismatch();
    return { command: await getCommandSummary(deps, principal, entry.command_id), replayed: true };
  };
  const earlier = await replay();
  if (earlier !== undefined) return earlier;

  const plan = await planCommand(deps, principal, body, now);
  const first = plan.unable[0];
  // Every target must be able to do it, else nothing is stored (422 naming one that cannot).
  if (first !== undefined) {
    throw capabilityMissing(plan.capability, plan.unable.length, `${first.agentId}/${first.minerId}`);
  }
  const { miners, notBefore, expiresAt, approvalReason: reason } = plan;

  const staged = await stageSecrets(deps, principal.tenantId, body, miners);
  const id = uuidv7(now);
  const targets: NewTarget[] = miners.map((miner) => {
    const ref = staged.perTarget.get(`${miner.agentId}\u0000${miner.minerId}`);
    return {
      command_id: id,
      agent_id: miner.agentId,
      miner_id: miner.minerId,
      site_id: miner.siteId,
      state: 'queued',
      reason: '',
      error_code: '',
      credential_id: ref?.credentialId ?? null,
      credential_version: ref?.version ?? null,
      dispatch_id: null,
      queued_at: now,
      dispatched_at: null,
      received_at: null,
      started_at: null,
      finished_at: null,
      updated_at: now,
    };
  });
  const rollout = body.rollout ?? {};
  const row: CommandTable = {
    id,
    tenant_id: principal.tenantId,
    type: body.type,
    params: JSON.stringify(staged.params),
    targets: JSON.stringify(body.targets),
    target_count: targets.length,
    status: reason === '' ? 'active' : 'awaiting_approval',
    status_reason: '',
    created_by: principal.userId,
    created_at: now,
    not_before: notBefore,
    expires_at: expiresAt,
    effect_timeout_s: body.effectTimeoutSeconds ?? 0,
    canonical_hash: '',
    requires_approval: reason === '' ? 0 : 1,
    approval_reason: reason,
    approved_by: null,
    approved_at: null,
    approved_hash: null,
    rollout_per_minute: rollout.perMinute ?? deps.policy.rolloutPerMinute,
    abort_threshold_pct: rollout.abortThresholdPct ?? deps.policy.abortThresholdPct,
    abort_min_executed: rollout.abortMinExecuted ?? deps.policy.abortMinExecuted,
    schedule_id: options.scheduleId ?? null,
    idempotency_key: idempotencyKey,
    version: 0,
    finished_at: null,
  };
  row.canonical_hash = commandHash(canonicalOf(row, targets));

  try {
    await db.transaction().execute(async (trx) => {
      if (idempotencyKey !== null) {
        const claimed = await claimIdempotency(trx, {
          tenant_id: keyRef.tenantId,
          principal_id: keyRef.principalId,
          key: keyRef.key,
          request_hash: hash,
          command_id: id,
          created_at: now,
          expires_at: now + IDEMPOTENCY_TTL_MS,
        });
        if (!claimed) throw new KeyTaken();
      }
      await insertCommand(trx, row, targets);
    });
  } catch (error) {
    // Another request with this key won the race (or the write failed): what was staged here is not needed.
    await discardAll(deps, staged.pending);
    if (error instanceof KeyTaken) {
      const winner = await replay();
      if (winner !== undefined) return winner;
    }
    throw error;
  }
  await publishCommandChange(deps.notifier, principal.tenantId, {
    commandId: id,
    status: row.status as CommandStatus,
    at: now,
  });
  if (row.status === 'active') await kickDispatchers(deps.notifier);
  return { command: toSummary(row, { queued: targets.length }, now), replayed: false };
}

async function commandOf(deps: CommandDeps, principal: Principal, id: string): Promise<CommandTable> {
  const row = await findCommand(deps.db, principal.tenantId, id);
  if (row === undefined) throw commandNotFound();
  return row;
}

export async function getCommandSummary(
  deps: CommandDeps,
  principal: Principal,
  id: string,
): Promise<CommandSummary> {
  const row = await commandOf(deps, principal, id);
  const counts = (await targetCounts(deps.db, [id])).get(id) ?? {};
  return toSummary(row, counts, deps.now());
}

export async function getCommand(
  deps: CommandDeps,
  principal: Principal,
  id: string,
): Promise<CommandSummary & { targets: TargetView[] }> {
  const row = await commandOf(deps, principal, id);
  const targets = await selectTargets(deps.db, id);
  const counts: TargetCounts = {};
  for (const target of targets) {
    const state = target.state as TargetState;
    counts[state] = (counts[state] ?? 0) + 1;
  }
  return { ...toSummary(row, counts, deps.now()), targets: targets.map(toTargetView) };
}

/** The newest commands of the caller's tenant matching `filters`, a page at a time (cursor bound to the filters). */
export async function listCommands(
  deps: CommandDeps,
  principal: Principal,
  filters: CommandListFilters,
  limit: number,
  cursor: string | undefined,
): Promise<{ commands: CommandSummary[]; nextCursor: string | null }> {
  const before = cursor === undefined ? undefined : decodeCursor(cursor, filters);
  const rows = await selectCommandPage(deps.db, principal.tenantId, filters, limit, before);
  const page = rows.slice(0, limit);
  const counts = await targetCounts(
    deps.db,
    page.map((row) => row.id),
  );
  const now = deps.now();
  const last = page.at(-1);
  return {
    commands: page.map((row) => toSummary(row, counts.get(row.id) ?? {}, now)),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(last.id, filters) : null,
  };
}

/** Drops the pending logins of targets that will never run (update_credentials). */
async function discardMoved(
  deps: Pick<CommandDeps, 'vault'>,
  tenantId: string,
  moved: MovedTarget[],
): Promise<void> {
  const pending = moved
    .filter((t) => t.credential_id !== null && t.credential_version !== null)
    .map((t) => ({
      tenantId,
      ref: { credentialId: t.credential_id as string, version: t.credential_version as number },
    }));
  await discardAll(deps, pending);
}

/**
 * Ends an unapproved command whose approval window has passed: expired, every target expired, pending logins
 * dropped. The approve route does it on the spot, the housekeeping timer past the approval window, the engine's
 * sweeper past the command's own expiry. False if it moved meanwhile.
 */
export async function expireUnapproved(
  deps: Pick<CommandDeps, 'db' | 'notifier' | 'vault' | 'now'>,
  row: CommandTable,
): Promise<boolean> {
  const now = deps.now();
  const reason = 'not approved in time';
  const moved = await deps.db.transaction().execute(async (trx) => {
    if (!(await moveCommand(trx, row, 'expired', { status_reason: reason, finished_at: now })))
      return undefined;
    return transitionTargetsInState(trx, row.id, 'queued', 'expired', now, { reason });
  });
  if (moved === undefined) return false;
  await discardMoved(deps, row.tenant_id, moved);
  await publishTargetChanges(
    deps.notifier,
    row.tenant_id,
    movedChanges(row.id, moved, 'expired', now, reason),
  );
  await publishCommandChange(deps.notifier, row.tenant_id, {
    commandId: row.id,
    status: 'expired',
    at: now,
    reason,
  });
  return true;
}

/** Expires every command whose approval window has passed unapproved; returns how many. Several instances may run it. */
export async function expireLateApprovals(deps: CommandDeps, batch = 100): Promise<number> {
  let expired = 0;
  for (const row of await selectUnapprovedBefore(deps.db, deps.now() - deps.policy.approvalTtlMs, batch)) {
    if (await expireUnapproved(deps, row)) expired++;
  }
  return expired;
}

/**
 * A second operator approves exactly the command they read (its canonicalHash). The creator cannot; an
 * approval after the window, or of a command that differs from what was read, is refused.
 */
export async function approveCommand(
  deps: CommandDeps,
  principal: Principal,
  id: string,
  seenHash: string,
): Promise<CommandSummary> {
  const row = await commandOf(deps, principal, id);
  if (row.status !== 'awaiting_approval') throw approvalNotNeeded();
  if (row.created_by === principal.userId) throw selfApproval();
  const now = deps.now();
  // Past the approval window, or past its own expiry (nothing could run any more): it expires instead.
  if (now > row.created_at + deps.policy.approvalTtlMs || now >= row.expires_at) {
    await expireUnapproved(deps, row);
    throw approvalExpired();
  }
  const fresh = commandHash(canonicalOf(row, await selectTargets(deps.db, id)));
  if (fresh !== row.canonical_hash || seenHash !== fresh) throw approvalStale();
  const moved = await moveCommand(deps.db, row, 'active', {
    approved_by: principal.userId,
    approved_at: now,
    approved_hash: fresh,
  });
  if (!moved) throw approvalNotNeeded();
  await publishCommandChange(deps.notifier, principal.tenantId, { commandId: id, status: 'active', at: now });
  await kickDispatchers(deps.notifier);
  return getCommandSummary(deps, principal, id);
}

/** What the engine offers for targets already on their agent: a signed CancelCommand (engine/index.ts). */
export type CancelDispatched = (commandId: string) => Promise<void>;

/**
 * Cancels what has not started: targets still in the cloud at once; targets on their agent and not started by a
 * CancelCommand the engine sends (their state changes when the agent reports). Running and finished targets
 * are left alone. The command is cancelled at once, so nothing more is dispatched.
 */
export async function cancelCommand(
  deps: CommandDeps,
  principal: Principal,
  id: string,
  cancelDispatched: CancelDispatched | undefined,
): Promise<{ id: string; cancelled: number; cancelRequested: number }> {
  const row = await commandOf(deps, principal, id);
  if (isTerminalCommand(row.status as CommandStatus)) throw notCancellable();
  const now = deps.now();
  const reason = 'cancelled by an operator';
  const moved = await deps.db.transaction().execute(async (trx) => {
    if (!(await moveCommand(trx, row, 'cancelled', { status_reason: reason }))) return undefined;
    // Claimed targets (a dispatch is being sent) stay for the engine: cancelDispatched asks their agent.
    const cancelled = await transitionTargetsInState(
      trx,
      id,
      'queued',
      'cancelled',
      now,
      { reason },
      { unclaimedOnly: true },
    );
    // Nothing left on an agent: the command is over now (else the engine stamps it when the last one ends).
    if (await noOpenTargets(trx, id)) {
      await trx.updateTable('command').set({ finished_at: now }).where('id', '=', id).execute();
    }
    return cancelled;
  });
  if (moved === undefined) throw notCancellable();
  await discardMoved(deps, row.tenant_id, moved);
  await publishTargetChanges(deps.notifier, row.tenant_id, movedChanges(id, moved, 'cancelled', now, reason));
  await publishCommandChange(deps.notifier, row.tenant_id, {
    commandId: id,
    status: 'cancelled',
    at: now,
    reason,
  });
  const onAgent = (await selectTargets(deps.db, id)).filter(
    (t) =>
      t.state === 'dispatched' || t.state === 'received' || (t.state === 'queued' && t.dispatch_id !== null),
  ).length;
  if (onAgent > 0 && cancelDispatched !== undefined) await cancelDispatched(id);
  return { id, cancelled: moved.length, cancelRequested: cancelDispatched === undefined ? 0 : onAgent };
}

/** Whether a command and all its targets are final (the SSE stream closes then). */
export async function commandSettled(db: Db, tenantId: string, id: string): Promise<boolean> {
  const row = await findCommand(db, tenantId, id);
  if (row === undefined) return true;
  if (!isTerminalCommand(row.status as CommandStatus)) return false;
  const counts = (await targetCounts(db, [id])).get(id) ?? {};
  return Object.entries(counts).every(([state, n]) => n === 0 || isTerminalTarget(state as TargetState));
}
