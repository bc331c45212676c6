// The safety policy of commands: when a second operator must approve, how fast a rollout goes and when it
// aborts, and how many commands an operator and a tenant may send. Pure; every number is configurable.

export interface CommandPolicy {
  /** A command naming more miners than this needs a second operator. */
  approvalMaxTargets: number;
  /** ...or naming more than this share (percent) of any one site's miners. */
  approvalMaxSitePct: number;
  /** An approval must come this soon after the request (ms); then the command expires unapproved. */
  approvalTtlMs: number;
  /** Defaults of a command's rollout (the request may choose others). */
  rolloutPerMinute: number;
  abortThresholdPct: number;
  abortMinExecuted: number;
  /** POST /api/commands per operator and per tenant, per minute. */
  operatorPerMinute: number;
  tenantPerMinute: number;
}

export const DEFAULT_COMMAND_POLICY: CommandPolicy = {
  approvalMaxTargets: 50,
  approvalMaxSitePct: 20,
  approvalTtlMs: 4 * 3600_000,
  rolloutPerMinute: 50,
  abortThresholdPct: 10,
  abortMinExecuted: 20,
  operatorPerMinute: 30,
  tenantPerMinute: 300,
};

export interface ApprovalInput {
  type: string;
  /** The targets as requested: siteId means the whole site. */
  wholeSite: boolean;
  /** Resolved target count per site (null: miners without a site). */
  targetsPerSite: ReadonlyMap<string | null, number>;
  /** Miners each of those sites has in all. */
  minersPerSite: ReadonlyMap<string | null, number>;
}

/** Why a second operator must approve, or '' when one operator may send it alone. */
export function approvalReason(policy: CommandPolicy, input: ApprovalInput): string {
  if (input.type === 'update_credentials') return 'credential changes always need a second operator';
  const siteWidePools =
    input.type === 'set_pools' &&
    (input.wholeSite ||
      [...input.targetsPerSite].some(
        ([site, count]) => site !== null && count >= (input.minersPerSite.get(site) ?? Infinity),
      ));
  if (siteWidePools) return 'pool changes for a whole site need a second operator';
  const total = [...input.targetsPerSite.values()].reduce((sum, count) => sum + count, 0);
  if (total > policy.approvalMaxTargets) {
    return `more than ${policy.approvalMaxTargets} miners need a second operator`;
  }
  for (const [site, count] of input.targetsPerSite) {
    const all = input.minersPerSite.get(site) ?? 0;
    if (site !== null && all > 0 && (count * 100) / all > policy.approvalMaxSitePct) {
      return `more than ${policy.approvalMaxSitePct}% of a site's miners need a second operator`;
    }
  }
  return '';
}
