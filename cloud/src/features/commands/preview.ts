import type { Principal } from '../../plugins/access.js';
import { selectSiteNames } from '../miners/index.js';
import { type CommandDeps, type CreateCommandBody, planCommand } from './service.js';

// POST /api/commands/preview: what POST /api/commands would do with this body — how many miners, on which sites,
// whether a second operator must approve, which miners cannot do it — through the very checks create runs
// (planCommand), answering the same errors, and storing, staging and dispatching nothing.

/** Refused miners listed at most; refusedCount says how many there are in all. */
export const MAX_REFUSED_LISTED = 100;

export interface CommandPreview {
  targetCount: number;
  /** Per site, by name (miners without a site last, siteId null). */
  sites: { siteId: string | null; siteName: string | null; count: number }[];
  requiresApproval: boolean;
  /** Why a second operator must approve; empty when none must. */
  approvalReasons: string[];
  /** Targets create would refuse (the whole command is refused while there is one). */
  refused: { agentId: string; minerId: string; code: string; reason: string }[];
  refusedCount: number;
  notBefore: string;
  expiresAt: string;
}

export async function previewCommand(
  deps: CommandDeps,
  principal: Principal,
  body: CreateCommandBody,
): Promise<CommandPreview> {
  const plan = await planCommand(deps, principal, body, deps.now());
  const siteIds = [...plan.targetsPerSite.keys()].filter((id): id is string => id !== null);
  const names = await selectSiteNames(deps.db, principal.tenantId, siteIds);
  const sites = [...plan.targetsPerSite]
    .map(([siteId, count]) => ({
      siteId,
      siteName: siteId === null ? null : (names.get(siteId) ?? null),
      count,
    }))
    .sort(
      (a, b) =>
        (a.siteName ?? '\uffff').localeCompare(b.siteName ?? '\uffff') ||
        (a.siteId ?? '\uffff').localeCompare(b.siteId ?? '\uffff'),
    );
  return {
    targetCount: plan.miners.length,
    sites,
    requiresApproval: plan.approvalReason !== '',
    approvalReasons: plan.approvalReason === '' ? [] : [plan.approvalReason],
    refused: plan.unable.slice(0, MAX_REFUSED_LISTED).map((miner) => ({
      agentId: miner.agentId,
      minerId: miner.minerId,
      code: 'COMMANDS_CAPABILITY_MISSING',
      reason: `its driver cannot ${plan.capability} (not supported, or not reported yet)`,
    })),
    refusedCount: plan.unable.length,
    notBefore: new Date(plan.notBefore).toISOString(),
    expiresAt: new Date(plan.expiresAt).toISOString(),
  };
}
